#include "platform/config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>

#include "platform/client_address.hpp"
#include "platform/crypto.hpp"

namespace concert::platform {

using domain::ErrorCode;
using domain::fail;
using domain::Result;

// Ranges keep a typo (an extra zero, a negative) from starting a broken server.
std::span<const IntSetting> int_settings() {
  static const IntSetting kInts[] = {
      {"io_threads", &Config::io_threads, 1, 64},
      {"db_threads", &Config::db_threads, 1, 256},
      {"db_queue_limit", &Config::db_queue_limit, 1, 1'000'000},
      {"db_queue_timeout_ms", &Config::db_queue_timeout_ms, 10, 600'000},
      {"body_limit_bytes", &Config::body_limit_bytes, 1024, 16 * 1024 * 1024},
      {"header_limit_bytes", &Config::header_limit_bytes, 1024, 1024 * 1024},
      {"max_connections", &Config::max_connections, 1, 1'000'000},
      {"read_timeout_ms", &Config::read_timeout_ms, 10, 600'000},
      {"idle_timeout_ms", &Config::idle_timeout_ms, 10, 3'600'000},
      {"drain_ms", &Config::drain_ms, 0, 600'000},
      {"hold_ttl_seconds", &Config::hold_ttl_seconds, 1, 86'400},
      {"sweep_interval_ms", &Config::sweep_interval_ms, 10, 60'000},
      {"relay_interval_ms", &Config::relay_interval_ms, 10, 60'000},
      {"relay_batch", &Config::relay_batch, 1, 100'000},
      {"promotion_interval_ms", &Config::promotion_interval_ms, 10, 10'000},
      {"reconcile_interval_ms", &Config::reconcile_interval_ms, 10, 600'000},
      {"reconcile_after_ms", &Config::reconcile_after_ms, 0, 86'400'000},
      {"audit_interval_ms", &Config::audit_interval_ms, 100, 3'600'000},
      {"replica_max_lag_ms", &Config::replica_max_lag_ms, 0, 3'600'000},
      {"seat_map_local_ttl_ms", &Config::seat_map_local_ttl_ms, 0, 60'000},
      {"queue_refresh_interval_ms", &Config::queue_refresh_interval_ms, 10, 5'000},
      // SPEC §4: replays are answered for at least 24 h.
      {"idempotency_ttl_hours", &Config::idempotency_ttl_hours, 24, 24 * 365},
      {"admit_per_second", &Config::admit_per_second, 1, 100'000},
      {"max_active", &Config::max_active, 1, 1'000'000},
      {"active_ttl_seconds", &Config::active_ttl_seconds, 10, 86'400},
      {"waiting_idle_ttl_seconds", &Config::waiting_idle_ttl_seconds, 5, 86'400},
      {"max_seats_per_user", &Config::max_seats_per_user, 1, 10},
      {"limit_entry_user_per_second", &Config::limit_entry_user_per_second, 0, 1'000'000},
      {"limit_entry_user_burst", &Config::limit_entry_user_burst, 1, 1'000'000},
      {"limit_entry_address_per_second", &Config::limit_entry_address_per_second, 0, 1'000'000},
      {"limit_entry_address_burst", &Config::limit_entry_address_burst, 1, 1'000'000},
      {"limit_write_user_per_second", &Config::limit_write_user_per_second, 0, 1'000'000},
      {"limit_write_user_burst", &Config::limit_write_user_burst, 1, 1'000'000},
      {"limit_write_address_per_second", &Config::limit_write_address_per_second, 0, 1'000'000},
      {"limit_write_address_burst", &Config::limit_write_address_burst, 1, 1'000'000},
      {"max_connections_per_address", &Config::max_connections_per_address, 0, 1'000'000},
      {"sandbox_latency_ms", &Config::sandbox_latency_ms, 0, 60'000},
      {"pg_connect_timeout_ms", &Config::pg_connect_timeout_ms, 10, 60'000},
      {"pg_timeout_ms", &Config::pg_timeout_ms, 10, 120'000},
      {"pg_attempts", &Config::pg_attempts, 1, 10},
      {"pg_backoff_ms", &Config::pg_backoff_ms, 0, 10'000},
      {"pg_breaker_failures", &Config::pg_breaker_failures, 1, 1'000},
      {"pg_breaker_open_ms", &Config::pg_breaker_open_ms, 10, 600'000},
      {"payment_threads", &Config::payment_threads, 1, 1'024},
      {"queue_threads", &Config::queue_threads, 1, 256},
      {"fault_error_per_mille", &Config::fault_error_per_mille, 0, 1000},
      {"fault_delay_ms", &Config::fault_delay_ms, 0, 60'000},
  };
  return kInts;
}

namespace {

const std::set<std::string> kWorkers{"promotion", "expiry", "relay", "purge", "reconcile", "audit"};
const std::set<std::string> kLogLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};
constexpr std::size_t kMinSecretBytes = 16;

tl::unexpected<domain::Error> invalid(std::string detail) { return fail(ErrorCode::InvalidInput, std::move(detail)); }

template <typename T>
Result<void> read_int(const nlohmann::json& v, const std::string& key, T& out, long long min, long long max) {
  if (!v.is_number_integer()) return invalid("config key " + key + " must be an integer");
  // An unsigned value above LLONG_MAX would wrap in get<long long>().
  const bool too_big = v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(max);
  const auto n = v.get<long long>();
  if (too_big || n < min || n > max) {
    return invalid("config key " + key + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  out = static_cast<T>(n);
  return {};
}

Result<void> read_string(const nlohmann::json& v, const std::string& key, std::string& out) {
  if (!v.is_string()) return invalid("config key " + key + " must be a string");
  out = v.get<std::string>();
  return {};
}

Result<void> check_trusted_proxies(const std::string& list) {
  if (auto parsed = TrustedProxies::parse(list); !parsed) return tl::unexpected(parsed.error());
  return {};
}

Result<void> check_worker(const std::string& name) {
  if (kWorkers.contains(name)) return {};
  return invalid("unknown worker '" + name + "' (known: promotion, expiry, relay, purge, reconcile, audit)");
}

// The file may list workers as the command line does ("relay,expiry") or as a JSON array.
Result<std::set<std::string>> read_workers(const nlohmann::json& v) {
  if (v.is_string()) return parse_workers(v.get<std::string>());
  if (!v.is_array()) return invalid("config key workers must be a string or an array of strings");
  std::set<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string()) return invalid("config key workers must hold only strings");
    const auto name = item.get<std::string>();
    if (auto ok = check_worker(name); !ok) return tl::unexpected(ok.error());
    out.insert(name);
  }
  return out;
}

// Fields whose default depends on the profile follow a profile switch unless
// they were set explicitly, so `"profile": "local"` in a file gets local's URLs.
void switch_profile(Config& c, const std::string& profile) {
  const Config before = defaults_for(c.profile), after = defaults_for(profile);
  if (c.mysql_url == before.mysql_url) c.mysql_url = after.mysql_url;
  if (c.redis_url == before.redis_url) c.redis_url = after.redis_url;
  c.profile = profile;
}

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

Result<void> apply_key(Config& c, const std::string& key, const nlohmann::json& v) {
  for (const auto& f : int_settings()) {
    if (key == f.name) return read_int(v, key, c.*(f.field), f.min, f.max);
  }
  if (key == "listen_port") return read_int(v, key, c.listen_port, 0, 65535);
  if (key == "sandbox_decline_over_amount") return read_int(v, key, c.sandbox_decline_over_amount, 0, 1LL << 50);
  if (key == "listen_host") return read_string(v, key, c.listen_host);
  if (key == "data_dir") return read_string(v, key, c.data_dir);
  if (key == "mysql_url") return read_string(v, key, c.mysql_url);
  if (key == "mysql_replica_url") return read_string(v, key, c.mysql_replica_url);
  if (key == "redis_url") return read_string(v, key, c.redis_url);
  if (key == "pg_url") return read_string(v, key, c.pg_url);
  if (key == "redis_key_prefix") return read_string(v, key, c.redis_key_prefix);
  if (key == "trusted_proxies") {
    if (auto ok = read_string(v, key, c.trusted_proxies); !ok) return ok;
    return check_trusted_proxies(c.trusted_proxies);
  }
  if (key == "profile") {
    std::string profile;
    if (auto ok = read_string(v, key, profile); !ok) return ok;
    switch_profile(c, profile);
    return {};
  }
  if (key == "log_level") {
    std::string level;
    if (auto ok = read_string(v, key, level); !ok) return ok;
    if (!kLogLevels.contains(level)) {
      return invalid("config key log_level must be one of trace, debug, info, warn, error, critical, off");
    }
    c.log_level = level;
    return {};
  }
  if (key == "demo") {
    if (!v.is_boolean()) return invalid("config key demo must be true or false");
    c.demo = v.get<bool>();
    return {};
  }
  if (key == "workers") {
    auto workers = read_workers(v);
    if (!workers) return tl::unexpected(workers.error());
    c.workers = *workers;
    return {};
  }
  // SPEC §6: config files get committed; secrets come only from the environment or a secret file.
  if (key == "jwt_secret" || key == "pg_webhook_secret" || key == "pg_secret") {
    const std::string env = "CONCERTD_" + upper(key);
    return invalid(key + " is not read from config files; set " + env + " or " + env + "_FILE");
  }
  return invalid("unknown config key '" + key + "'");
}

Result<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid("cannot read the secret file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string s = buf.str();
  // Editors and `echo` add a line end that is not part of the secret.
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.size() < kMinSecretBytes) {
    return invalid("the secret in " + path + " is shorter than 16 bytes");
  }
  return s;
}

tl::unexpected<domain::Error> io_error(const std::string& what, int err) {
  return fail(ErrorCode::Unavailable, what + ": " + std::strerror(err));
}

// Writes `contents` to a new file at `path` with mode 0600, all or nothing: the
// bytes go to a private temporary file that is then hard-linked into place, so
// no reader sees half a secret and, when two processes race, the first link wins.
// Returns false, and leaves the file alone, when `path` already exists.
Result<bool> create_private_file(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp." + random_hex(8);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    return io_error("cannot create " + tmp, err);
  }
  int err = 0;
  const auto n = ::write(fd, contents.data(), contents.size());
  if (n != static_cast<ssize_t>(contents.size())) {
    err = n < 0 ? errno : EIO;  // a short write sets no errno
  } else if (::fsync(fd) != 0) {
    err = errno;
  }
  ::close(fd);
  if (err == 0 && ::link(tmp.c_str(), path.c_str()) != 0) err = errno;
  ::unlink(tmp.c_str());
  if (err == EEXIST) return false;
  if (err != 0) return io_error("cannot write " + path, err);
  return true;
}

}  // namespace

Config defaults_for(std::string_view profile) {
  Config c;
  c.profile = std::string(profile);
  if (profile == "local") {
    c.mysql_url = "mysql://concertd:concertd@127.0.0.1:3306/concertd";
    c.redis_url = "redis://127.0.0.1:6379/0";
  }
  return c;
}

Result<void> apply_file(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) return invalid("cannot read config file " + path);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid("config file " + path + " must hold one JSON object");
  for (const auto& [key, value] : j.items()) {
    if (auto ok = apply_key(config, key, value); !ok) return invalid(path + ": " + ok.error().detail);
  }
  return {};
}

namespace {

// NAME or NAME_FILE into `secret` (unchanged when neither is set).
Result<void> read_secret_env(const EnvLookup& getenv, const std::string& name, std::string& secret) {
  const auto value = getenv(name.c_str());
  const auto file = getenv((name + "_FILE").c_str());
  // Silently preferring one would leave the operator guessing which secret is in use.
  if (value && file) return invalid("set " + name + " or " + name + "_FILE, not both");
  if (value) {
    if (value->size() < kMinSecretBytes) return invalid(name + " must be at least 16 bytes");
    secret = *value;
  } else if (file) {
    auto read = read_secret_file(*file);
    if (!read) return tl::unexpected(read.error());
    secret = *read;
  }
  return {};
}

}  // namespace

Result<void> apply_env(Config& c, const EnvLookup& getenv) {
  if (auto v = getenv("CONCERTD_PROFILE")) switch_profile(c, *v);
  if (auto v = getenv("CONCERTD_LISTEN")) {
    auto listen = parse_listen(*v);
    if (!listen) return invalid("CONCERTD_LISTEN: " + listen.error().detail);
    std::tie(c.listen_host, c.listen_port) = *listen;
  }
  if (auto v = getenv("CONCERTD_DATA_DIR")) c.data_dir = *v;
  if (auto v = getenv("CONCERTD_MYSQL_URL")) c.mysql_url = *v;
  if (auto v = getenv("CONCERTD_MYSQL_REPLICA_URL")) c.mysql_replica_url = *v;
  if (auto v = getenv("CONCERTD_REDIS_URL")) c.redis_url = *v;
  if (auto v = getenv("CONCERTD_PG_URL")) c.pg_url = *v;
  if (auto v = getenv("CONCERTD_TRUSTED_PROXIES")) {
    c.trusted_proxies = *v;
    if (auto ok = check_trusted_proxies(c.trusted_proxies); !ok)
      return invalid("CONCERTD_TRUSTED_PROXIES: " + ok.error().detail);
  }
  if (auto ok = read_secret_env(getenv, "CONCERTD_JWT_SECRET", c.jwt_secret); !ok) return ok;
  if (auto ok = read_secret_env(getenv, "CONCERTD_PG_SECRET", c.pg_secret); !ok) return ok;
  return read_secret_env(getenv, "CONCERTD_PG_WEBHOOK_SECRET", c.pg_webhook_secret);
}

Result<std::pair<std::string, unsigned short>> parse_listen(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(ErrorCode::InvalidInput, "listen address must be HOST:PORT, got '" + std::string(text) + "'");
  }
  const auto digits = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port > 65535) {
    return fail(ErrorCode::InvalidInput, "listen port must be 0..65535, got '" + std::string(digits) + "'");
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::pair<std::string, unsigned short>{host, static_cast<unsigned short>(port)};
}

Result<std::set<std::string>> parse_workers(std::string_view text) {
  if (text == "all") return kWorkers;
  if (text == "none") return std::set<std::string>{};
  std::set<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    const auto length = comma == std::string_view::npos ? std::string_view::npos : comma - start;
    const std::string name(text.substr(start, length));
    if (auto ok = check_worker(name); !ok) return tl::unexpected(ok.error());
    out.insert(name);
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

Result<std::string> ensure_jwt_secret(Config& c) {
  if (!c.jwt_secret.empty()) return std::string();
  if (c.profile != "embedded") {
    return fail(ErrorCode::InvalidInput,
                "profile " + c.profile + " needs a JWT secret: set CONCERTD_JWT_SECRET or CONCERTD_JWT_SECRET_FILE");
  }
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec) return fail(ErrorCode::Unavailable, "cannot create the data dir " + c.data_dir + ": " + ec.message());
  const std::string path = c.data_dir + "/jwt-secret";
  bool created = false;
  if (!std::filesystem::exists(path)) {
    auto made = create_private_file(path, random_hex(32) + "\n");
    if (!made) return tl::unexpected(made.error());
    created = *made;
  }
  // Read back in every case: a process that won a race to create the file holds the secret.
  auto secret = read_secret_file(path);
  if (!secret) return tl::unexpected(secret.error());
  c.jwt_secret = *secret;
  if (created) return "created a JWT secret in " + path + " (set CONCERTD_JWT_SECRET to use your own)";
  return "using the JWT secret in " + path;
}

}  // namespace concert::platform
