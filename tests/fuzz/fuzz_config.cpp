// libFuzzer target: the config file reader (platform::apply_file) and the small
// parsers of config.hpp (parse_listen, parse_workers), the first code a
// mistyped file or flag reaches.
//
// Input: the file's contents, written to a memfd that apply_file reads through
// /proc/self/fd/N (apply_file is the file reader's only entry point), and also
// the text given to parse_listen and parse_workers.
// A violated property aborts:
//  - apply_file accepts the file exactly when a model of config.hpp's contract
//    does: one JSON object whose keys are Config's field names, integers within
//    their ranges (int_settings(), whose every range holds the profiles'
//    defaults), strings, a boolean demo, a known log level, known workers, and
//    no secrets;
//  - a file that applies sets each field it names to its value and leaves the
//    rest at the profile's defaults (the URLs a profile switch moves aside);
//  - a refusal is InvalidInput, naming the file;
//  - parse_listen: a success has a non-empty host and round-trips as
//    "[HOST]:PORT"; a failure is InvalidInput;
//  - parse_workers: a success holds known workers only, is empty for "none"
//    only, and round-trips as their comma-separated list.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "platform/config.hpp"

namespace {

using concert::domain::ErrorCode;
using concert::platform::Config;
using nlohmann::json;

void check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s\n", property);
  std::abort();
}

// config.cpp's own table of the integer keys and their ranges; checked once for itself (a
// range min <= max that holds every profile's default) before any input is read.
std::span<const concert::platform::IntSetting> int_settings() {
  static const auto settings = [] {
    const auto table = concert::platform::int_settings();
    for (const char* profile : {"embedded", "local"}) {
      const Config d = concert::platform::defaults_for(profile);
      for (const auto& f : table)
        check(f.min <= f.max && d.*(f.field) >= f.min && d.*(f.field) <= f.max, "a default is within its key's range");
    }
    return table;
  }();
  return settings;
}

struct StringField {
  const char* name;
  std::string Config::*field;
};

const StringField kStrings[] = {
    {"listen_host", &Config::listen_host},
    {"data_dir", &Config::data_dir},
    {"mysql_url", &Config::mysql_url},
    {"redis_url", &Config::redis_url},
    {"pg_url", &Config::pg_url},
    {"redis_key_prefix", &Config::redis_key_prefix},
    {"mysql_replica_url", &Config::mysql_replica_url},
};

const std::set<std::string> kWorkers{"promotion", "expiry", "relay", "purge", "reconcile", "audit"};
const std::set<std::string> kLogLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};

bool integer_within(const json& v, long long min, long long max) {
  if (!v.is_number_integer()) return false;
  if (v.is_number_unsigned()) {  // nlohmann keeps every non-negative integer as unsigned
    const auto n = v.get<unsigned long long>();
    return n >= static_cast<unsigned long long>(min) && n <= static_cast<unsigned long long>(max);
  }
  const auto n = v.get<long long>();
  return n >= min && n <= max;
}

bool workers_valid(const json& v) {
  if (v.is_string()) return concert::platform::parse_workers(v.get<std::string>()).has_value();
  if (!v.is_array()) return false;
  for (const auto& item : v) {
    if (!item.is_string() || !kWorkers.contains(item.get<std::string>())) return false;
  }
  return true;
}

// The model: whether config.hpp's contract accepts `key` with `value`.
bool acceptable(const std::string& key, const json& v) {
  for (const auto& f : int_settings()) {
    if (key == f.name) return integer_within(v, f.min, f.max);
  }
  for (const auto& f : kStrings) {
    if (key == f.name) return v.is_string();
  }
  if (key == "listen_port") return integer_within(v, 0, 65535);
  if (key == "sandbox_decline_over_amount") return integer_within(v, 0, 1LL << 50);
  if (key == "profile") return v.is_string();
  if (key == "log_level") return v.is_string() && kLogLevels.contains(v.get<std::string>());
  if (key == "demo") return v.is_boolean();
  if (key == "workers") return workers_valid(v);
  return false;  // unknown keys, and the secrets, which only the environment and secret files give
}

void check_applied(const json& file, const Config& c) {
  const Config d = concert::platform::defaults_for("embedded");
  for (const auto& f : int_settings()) {
    const auto it = file.find(f.name);
    check(c.*(f.field) == (it == file.end() ? d.*(f.field) : it->get<long long>()), "an integer key's value is set");
  }
  const bool switched = file.contains("profile");
  for (const auto& f : kStrings) {
    const std::string name = f.name;
    if (switched && (name == "mysql_url" || name == "redis_url")) continue;  // follow the profile unless set
    const auto it = file.find(name);
    check(c.*(f.field) == (it == file.end() ? d.*(f.field) : it->get<std::string>()), "a string key's value is set");
  }
  check(c.listen_port == (file.contains("listen_port") ? file.at("listen_port").get<long long>() : d.listen_port),
        "listen_port is set");
  check(c.sandbox_decline_over_amount == file.value("sandbox_decline_over_amount", d.sandbox_decline_over_amount),
        "sandbox_decline_over_amount is set");
  check(c.profile == file.value("profile", d.profile), "profile is set");
  check(c.log_level == file.value("log_level", d.log_level) && kLogLevels.contains(c.log_level), "log_level is set");
  check(c.demo == file.value("demo", d.demo), "demo is set");
  for (const auto& w : c.workers) check(kWorkers.contains(w), "workers are known");
  if (!file.contains("workers")) check(c.workers == d.workers, "workers stay the default");
  check(c.jwt_secret.empty() && c.pg_secret.empty() && c.pg_webhook_secret.empty(), "no secret comes from a file");
}

void check_file(int fd, const std::string& path, std::string_view text) {
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    std::abort();  // the harness's own failure, not the reader's
  }
  Config c = concert::platform::defaults_for("embedded");
  const auto applied = concert::platform::apply_file(c, path);
  const auto file = json::parse(text, nullptr, /*allow_exceptions=*/false);
  bool expected = file.is_object();
  if (expected) {
    for (const auto& [key, value] : file.items()) expected = expected && acceptable(key, value);
  }
  check(applied.has_value() == expected, "apply_file accepts what the model accepts");
  if (applied) {
    check_applied(file, c);
  } else {
    check(applied.error().code == ErrorCode::InvalidInput, "a refused file is InvalidInput");
    check(applied.error().detail.find(path) != std::string::npos, "a refusal names the file");
  }
}

void check_listen(std::string_view text) {
  const auto listen = concert::platform::parse_listen(text);
  if (!listen) {
    check(listen.error().code == ErrorCode::InvalidInput, "a bad listen address is InvalidInput");
    return;
  }
  const auto& [host, port] = *listen;
  check(!host.empty(), "a listen address has a host");
  const auto again = concert::platform::parse_listen("[" + host + "]:" + std::to_string(port));
  check(again && *again == *listen, "a listen address round-trips");
}

void check_workers(std::string_view text) {
  const auto workers = concert::platform::parse_workers(text);
  if (!workers) {
    check(workers.error().code == ErrorCode::InvalidInput, "bad workers are InvalidInput");
    return;
  }
  for (const auto& w : *workers) check(kWorkers.contains(w), "workers are known");
  check(workers->empty() == (text == "none"), "no workers for none only");
  if (workers->empty()) return;
  std::string list;
  for (const auto& w : *workers) list += (list.empty() ? "" : ",") + w;
  const auto again = concert::platform::parse_workers(list);
  check(again && *again == *workers, "workers round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = ::memfd_create("fuzz_config.json", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_file(fd, path, text);
  check_listen(text);
  check_workers(text);
  return 0;
}
