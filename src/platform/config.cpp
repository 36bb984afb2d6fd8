#include "platform/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "platform/crypto.hpp"

namespace concert::platform {

using domain::ErrorCode;
using domain::fail;

namespace {

const std::set<std::string> kWorkers{"promotion", "expiry", "relay", "purge"};

template <typename T>
domain::Result<void> read_int(const nlohmann::json& v, const std::string& key, T& out, long long min, long long max) {
  if (!v.is_number_integer()) return fail(ErrorCode::InvalidInput, "config key " + key + " must be an integer");
  const auto n = v.get<long long>();
  if (n < min || n > max) {
    return fail(ErrorCode::InvalidInput,
                "config key " + key + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  out = static_cast<T>(n);
  return {};
}

domain::Result<void> read_string(const nlohmann::json& v, const std::string& key, std::string& out) {
  if (!v.is_string()) return fail(ErrorCode::InvalidInput, "config key " + key + " must be a string");
  out = v.get<std::string>();
  return {};
}

domain::Result<void> apply_key(Config& c, const std::string& key, const nlohmann::json& v) {
  struct IntField {
    const char* name;
    int Config::*field;
    long long min, max;
  };
  static const IntField kInts[] = {
      {"io_threads", &Config::io_threads, 1, 64},
      {"db_threads", &Config::db_threads, 1, 256},
      {"db_queue_limit", &Config::db_queue_limit, 1, 1'000'000},
      {"body_limit_bytes", &Config::body_limit_bytes, 1024, 16 * 1024 * 1024},
      {"header_limit_bytes", &Config::header_limit_bytes, 1024, 1024 * 1024},
      {"max_connections", &Config::max_connections, 1, 1'000'000},
      {"read_timeout_ms", &Config::read_timeout_ms, 10, 600'000},
      {"idle_timeout_ms", &Config::idle_timeout_ms, 10, 3'600'000},
      {"hold_ttl_seconds", &Config::hold_ttl_seconds, 1, 86'400},
      {"sweep_interval_ms", &Config::sweep_interval_ms, 10, 60'000},
      {"relay_interval_ms", &Config::relay_interval_ms, 10, 60'000},
      {"relay_batch", &Config::relay_batch, 1, 100'000},
      {"promotion_interval_ms", &Config::promotion_interval_ms, 10, 10'000},
      {"idempotency_ttl_hours", &Config::idempotency_ttl_hours, 24, 24 * 365},
      {"admit_per_second", &Config::admit_per_second, 1, 100'000},
      {"max_active", &Config::max_active, 1, 1'000'000},
      {"active_ttl_seconds", &Config::active_ttl_seconds, 10, 86'400},
      {"waiting_idle_ttl_seconds", &Config::waiting_idle_ttl_seconds, 5, 86'400},
      {"max_seats_per_user", &Config::max_seats_per_user, 1, 10},
      {"sandbox_latency_ms", &Config::sandbox_latency_ms, 0, 60'000},
  };
  for (const auto& f : kInts) {
    if (key == f.name) return read_int(v, key, c.*(f.field), f.min, f.max);
  }
  if (key == "listen_port") return read_int(v, key, c.listen_port, 0, 65535);
  if (key == "sandbox_decline_over_amount") return read_int(v, key, c.sandbox_decline_over_amount, 0, 1LL << 50);
  if (key == "profile") return read_string(v, key, c.profile);
  if (key == "listen_host") return read_string(v, key, c.listen_host);
  if (key == "data_dir") return read_string(v, key, c.data_dir);
  if (key == "log_level") return read_string(v, key, c.log_level);
  if (key == "mysql_url") return read_string(v, key, c.mysql_url);
  if (key == "redis_url") return read_string(v, key, c.redis_url);
  if (key == "jwt_secret") {
    return fail(ErrorCode::InvalidInput, "jwt_secret is not read from config files; use CONCERTD_JWT_SECRET(_FILE)");
  }
  if (key == "demo") {
    if (!v.is_boolean()) return fail(ErrorCode::InvalidInput, "config key demo must be true or false");
    c.demo = v.get<bool>();
    return {};
  }
  if (key == "workers") {
    std::string text;
    if (auto ok = read_string(v, key, text); !ok) return ok;
    auto workers = parse_workers(text);
    if (!workers) return tl::unexpected(workers.error());
    c.workers = *workers;
    return {};
  }
  return fail(ErrorCode::InvalidInput, "unknown config key " + key);
}

domain::Result<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::InvalidInput, "cannot read secret file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string s = buf.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.size() < 16) return fail(ErrorCode::InvalidInput, "the JWT secret in " + path + " is shorter than 16 bytes");
  return s;
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

domain::Result<void> apply_file(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::InvalidInput, "cannot read config file " + path);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorCode::InvalidInput, "config file " + path + " must hold one JSON object");
  }
  for (const auto& [key, value] : j.items()) {
    if (auto ok = apply_key(config, key, value); !ok) return ok;
  }
  return {};
}

domain::Result<void> apply_env(Config& c, const EnvLookup& getenv) {
  if (auto v = getenv("CONCERTD_PROFILE")) c.profile = *v;
  if (auto v = getenv("CONCERTD_LISTEN")) {
    auto listen = parse_listen(*v);
    if (!listen) return tl::unexpected(listen.error());
    std::tie(c.listen_host, c.listen_port) = *listen;
  }
  if (auto v = getenv("CONCERTD_DATA_DIR")) c.data_dir = *v;
  if (auto v = getenv("CONCERTD_MYSQL_URL")) c.mysql_url = *v;
  if (auto v = getenv("CONCERTD_REDIS_URL")) c.redis_url = *v;
  if (auto v = getenv("CONCERTD_JWT_SECRET")) {
    if (v->size() < 16) return fail(ErrorCode::InvalidInput, "CONCERTD_JWT_SECRET must be at least 16 bytes");
    c.jwt_secret = *v;
  } else if (auto file = getenv("CONCERTD_JWT_SECRET_FILE")) {
    auto secret = read_secret_file(*file);
    if (!secret) return tl::unexpected(secret.error());
    c.jwt_secret = *secret;
  }
  return {};
}

domain::Result<std::pair<std::string, unsigned short>> parse_listen(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(ErrorCode::InvalidInput, "listen address must be HOST:PORT, got '" + std::string(text) + "'");
  }
  unsigned port = 0;
  const auto digits = text.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty() || port > 65535) {
    return fail(ErrorCode::InvalidInput, "listen port must be 0..65535, got '" + std::string(digits) + "'");
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::pair<std::string, unsigned short>{host, static_cast<unsigned short>(port)};
}

domain::Result<std::set<std::string>> parse_workers(std::string_view text) {
  if (text == "all") return kWorkers;
  if (text == "none") return std::set<std::string>{};
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string name(text.substr(start, end - start));
    if (!kWorkers.contains(name)) {
      return fail(ErrorCode::InvalidInput, "unknown worker '" + name + "' (known: promotion, expiry, relay, purge)");
    }
    out.insert(name);
    start = end + 1;
  }
  return out;
}

domain::Result<std::string> ensure_jwt_secret(Config& c) {
  if (!c.jwt_secret.empty()) return std::string();
  if (c.profile != "embedded") {
    return fail(ErrorCode::InvalidInput, "profile " + c.profile +
                                             " needs a JWT secret: set CONCERTD_JWT_SECRET or CONCERTD_JWT_SECRET_FILE");
  }
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  const std::string path = c.data_dir + "/jwt-secret";
  if (std::filesystem::exists(path)) {
    auto secret = read_secret_file(path);
    if (!secret) return tl::unexpected(secret.error());
    c.jwt_secret = *secret;
    return "using the JWT secret in " + path;
  }
  // Write a temporary file, then link it into place: a reader never sees half a
  // secret, and when two processes race, the first link wins and both use it.
  const std::string secret = random_hex(32);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::InvalidInput, "cannot create " + tmp);
  const std::string line = secret + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  const bool linked = written && ::link(tmp.c_str(), path.c_str()) == 0;
  const bool lost_race = written && !linked && errno == EEXIST;
  ::unlink(tmp.c_str());
  if (lost_race) {
    auto existing = read_secret_file(path);
    if (!existing) return tl::unexpected(existing.error());
    c.jwt_secret = *existing;
    return "using the JWT secret in " + path;
  }
  if (!linked) return fail(ErrorCode::InvalidInput, "cannot write " + path);
  c.jwt_secret = secret;
  return "created a JWT secret in " + path + " (set CONCERTD_JWT_SECRET to use your own)";
}

}  // namespace concert::platform
