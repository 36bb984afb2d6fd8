// platform/config: defaults, the JSON file, environment overrides, the small
// parsers and the embedded JWT secret file.
#include "platform/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace concert::platform {
namespace {

using concert::testing::TempDir;
using domain::ErrorCode;

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir.file(name);
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// --- defaults -----------------------------------------------------------------

TEST(ConfigDefaults, EmbeddedProfileMatchesTheSpec) {
  const auto c = defaults_for("embedded");
  EXPECT_EQ(c.profile, "embedded");
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.data_dir, "./concertd-data");
  EXPECT_TRUE(c.jwt_secret.empty());
  EXPECT_FALSE(c.demo);
  EXPECT_EQ(c.workers, (std::set<std::string>{"promotion", "expiry", "relay", "purge", "reconcile", "audit"}));
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.body_limit_bytes, 64 * 1024);
  EXPECT_EQ(c.header_limit_bytes, 8 * 1024);
  EXPECT_EQ(c.hold_ttl_seconds, 300);
  EXPECT_EQ(c.idempotency_ttl_hours, 24);
  EXPECT_EQ(c.max_seats_per_user, 4);
  EXPECT_EQ(c.admit_per_second, 50);
  EXPECT_EQ(c.max_active, 500);
  EXPECT_TRUE(c.mysql_url.empty());
  EXPECT_TRUE(c.redis_url.empty());
}

TEST(ConfigDefaults, LocalProfilePointsAtLoopbackMysqlAndRedis) {
  const auto c = defaults_for("local");
  EXPECT_EQ(c.profile, "local");
  EXPECT_EQ(c.mysql_url, "mysql://concertd:concertd@127.0.0.1:3306/concertd");
  EXPECT_EQ(c.redis_url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(c.listen_port, 8080);
}

// --- apply_file -----------------------------------------------------------------

TEST(ConfigFile, FileValuesOverrideDefaultsAndLeaveTheRest) {
  TempDir dir;
  const auto path = write_file(dir, "c.json",
                               R"({"listen_port": 9001, "listen_host": "0.0.0.0", "demo": true,
                                   "workers": "relay,expiry", "hold_ttl_seconds": 60, "log_level": "debug",
                                   "sandbox_decline_over_amount": 5000})");
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_file(c, path));
  EXPECT_EQ(c.listen_port, 9001);
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_TRUE(c.demo);
  EXPECT_EQ(c.workers, (std::set<std::string>{"relay", "expiry"}));
  EXPECT_EQ(c.hold_ttl_seconds, 60);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.sandbox_decline_over_amount, 5000);
  // Untouched keys keep their defaults.
  EXPECT_EQ(c.data_dir, "./concertd-data");
  EXPECT_EQ(c.max_active, 500);
}

TEST(ConfigFile, EnvironmentOverridesTheFile) {
  TempDir dir;
  const auto path = write_file(dir, "c.json", R"({"listen_port": 9001, "data_dir": "/from/file"})");
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_file(c, path));
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_LISTEN", "127.0.0.2:9100"}, {"CONCERTD_DATA_DIR", "/from/env"}})));
  EXPECT_EQ(c.listen_host, "127.0.0.2");
  EXPECT_EQ(c.listen_port, 9100);
  EXPECT_EQ(c.data_dir, "/from/env");
}

TEST(ConfigFile, EmptyObjectChangesNothing) {
  TempDir dir;
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_file(c, write_file(dir, "c.json", "{}")));
  EXPECT_EQ(c.listen_port, 8080);
}

TEST(ConfigFile, MissingFileOrNonObjectIsRejected) {
  TempDir dir;
  auto c = defaults_for("embedded");
  auto missing = apply_file(c, dir.file("nope.json"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::InvalidInput);
  EXPECT_FALSE(apply_file(c, write_file(dir, "a.json", "[1, 2]")));
  EXPECT_FALSE(apply_file(c, write_file(dir, "b.json", "{\"listen_port\": ")));
  EXPECT_FALSE(apply_file(c, write_file(dir, "e.json", "")));
}

TEST(ConfigFile, UnknownKeyIsRejectedByName) {
  TempDir dir;
  auto c = defaults_for("embedded");
  auto r = apply_file(c, write_file(dir, "c.json", R"({"listen_prot": 9000})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(r.error().detail.find("listen_prot"), std::string::npos) << r.error().detail;
}

TEST(ConfigFile, WrongTypesAreRejected) {
  TempDir dir;
  const char* cases[] = {
      R"({"listen_port": "9000"})",
      R"({"io_threads": 2.5})",
      R"({"io_threads": true})",
      R"({"demo": "yes"})",
      R"({"demo": 1})",
      R"({"workers": [1]})",
      R"({"workers": 3})",
      R"({"profile": 1})",
      R"({"mysql_url": false})",
      R"({"listen_host": 127})",
      R"({"data_dir": null})",
      R"({"max_active": {}})",
      R"({"log_level": ["info"]})",
      R"({"sandbox_latency_ms": "0"})",
  };
  for (const char* text : cases) {
    auto c = defaults_for("embedded");
    auto r = apply_file(c, write_file(dir, "c.json", text));
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidInput) << text;
  }
}

TEST(ConfigFile, OutOfRangeValuesAreRejected) {
  TempDir dir;
  const char* cases[] = {
      R"({"listen_port": 65536})",
      R"({"listen_port": -1})",
      R"({"io_threads": 0})",
      R"({"io_threads": 65})",
      R"({"body_limit_bytes": 100})",
      R"({"header_limit_bytes": 0})",
      R"({"max_seats_per_user": 11})",
      R"({"max_seats_per_user": 0})",
      R"({"idempotency_ttl_hours": 23})",
      R"({"hold_ttl_seconds": 0})",
      R"({"read_timeout_ms": 9})",
      R"({"sandbox_decline_over_amount": -5})",
      R"({"max_active": 9223372036854775807})",
      R"({"listen_port": 18446744073709551615})",
  };
  for (const char* text : cases) {
    auto c = defaults_for("embedded");
    auto r = apply_file(c, write_file(dir, "c.json", text));
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidInput) << text;
  }
}

TEST(ConfigFile, BoundariesAreAccepted) {
  TempDir dir;
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_file(c, write_file(dir, "c.json",
                                       R"({"listen_port": 0, "io_threads": 64, "max_seats_per_user": 10,
                                           "idempotency_ttl_hours": 24, "body_limit_bytes": 1024})")));
  EXPECT_EQ(c.listen_port, 0);
  EXPECT_EQ(c.io_threads, 64);
  EXPECT_EQ(c.max_seats_per_user, 10);
  EXPECT_EQ(c.body_limit_bytes, 1024);
}

TEST(ConfigFile, WorkersAsAStringOrAnArray) {
  TempDir dir;
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_file(c, write_file(dir, "a.json", R"({"workers": ["relay", "purge"]})")));
  EXPECT_EQ(c.workers, (std::set<std::string>{"relay", "purge"}));
  ASSERT_TRUE(apply_file(c, write_file(dir, "b.json", R"({"workers": []})")));
  EXPECT_TRUE(c.workers.empty());
  ASSERT_TRUE(apply_file(c, write_file(dir, "c.json", R"({"workers": "all"})")));
  EXPECT_EQ(c.workers.size(), 6u);
}

TEST(ConfigFile, InvalidWorkersAreRejectedByName) {
  TempDir dir;
  for (const char* text : {R"({"workers": "relay,bogus"})", R"({"workers": ["relay", "bogus"]})"}) {
    auto c = defaults_for("embedded");
    auto r = apply_file(c, write_file(dir, "c.json", text));
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().detail.find("bogus"), std::string::npos) << r.error().detail;
    EXPECT_EQ(c.workers, defaults_for("embedded").workers) << "a rejected list must not be half applied";
  }
}

TEST(ConfigFile, UnknownLogLevelIsRejected) {
  TempDir dir;
  auto c = defaults_for("embedded");
  auto r = apply_file(c, write_file(dir, "c.json", R"({"log_level": "loud"})"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("log_level"), std::string::npos) << r.error().detail;
  EXPECT_EQ(c.log_level, "info");
}

// main.cpp picks the profile's defaults before reading the file, so a file that
// names another profile must bring that profile's defaults along.
TEST(ConfigFile, ProfileInTheFileBringsItsDefaultsButKeepsExplicitValues) {
  TempDir dir;
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_file(c, write_file(dir, "a.json", R"({"profile": "local"})")));
  EXPECT_EQ(c.profile, "local");
  EXPECT_EQ(c.mysql_url, defaults_for("local").mysql_url);
  EXPECT_EQ(c.redis_url, defaults_for("local").redis_url);

  auto d = defaults_for("embedded");
  ASSERT_TRUE(apply_file(d, write_file(dir, "b.json", R"({"redis_url": "redis://cache:6379/2", "profile": "local"})")));
  EXPECT_EQ(d.redis_url, "redis://cache:6379/2");
  EXPECT_EQ(d.mysql_url, defaults_for("local").mysql_url);
}

TEST(ConfigFile, JwtSecretInAFileIsRefused) {
  TempDir dir;
  auto c = defaults_for("embedded");
  auto r = apply_file(c, write_file(dir, "c.json", R"({"jwt_secret": "0123456789abcdef0123456789abcdef"})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(r.error().detail.find("jwt_secret"), std::string::npos);
  EXPECT_TRUE(c.jwt_secret.empty());
}

// Each secret of the gateway, like the JWT secret, only from the environment or a file.
struct GatewaySecret {
  const char* key;
  const char* env;
  std::string Config::*field;
};
const GatewaySecret kGatewaySecrets[] = {
    {"pg_webhook_secret", "CONCERTD_PG_WEBHOOK_SECRET", &Config::pg_webhook_secret},
    {"pg_secret", "CONCERTD_PG_SECRET", &Config::pg_secret},
};

TEST(ConfigFile, GatewaySecretsInAFileAreRefused) {
  TempDir dir;
  for (const auto& secret : kGatewaySecrets) {
    auto c = defaults_for("embedded");
    auto r = apply_file(
        c, write_file(dir, "c.json", "{\"" + std::string(secret.key) + "\": \"0123456789abcdef0123456789abcdef\"}"));
    ASSERT_FALSE(r) << secret.key;
    EXPECT_NE(r.error().detail.find(secret.env), std::string::npos) << r.error().detail;
    EXPECT_TRUE((c.*secret.field).empty());
  }
}

TEST(ConfigFile, GatewaySettingsAreReadAndBounded) {
  TempDir dir;
  auto c = defaults_for("local");
  EXPECT_TRUE(c.pg_url.empty());  // the sandbox unless told
  ASSERT_TRUE(apply_file(c, write_file(dir, "c.json",
                                       R"({"pg_url": "http://127.0.0.1:9090", "pg_timeout_ms": 1500,
                                           "pg_attempts": 2, "pg_breaker_failures": 10, "payment_threads": 128})")));
  EXPECT_EQ(c.pg_url, "http://127.0.0.1:9090");
  EXPECT_EQ(c.pg_timeout_ms, 1500);
  EXPECT_EQ(c.pg_attempts, 2);
  EXPECT_EQ(c.pg_breaker_failures, 10);
  EXPECT_EQ(c.payment_threads, 128);
  for (const char* bad : {R"({"pg_attempts": 0})", R"({"pg_attempts": 11})", R"({"pg_timeout_ms": 5})",
                          R"({"payment_threads": 0})", R"({"pg_url": 9090})"}) {
    auto d = defaults_for("local");
    EXPECT_FALSE(apply_file(d, write_file(dir, "bad.json", bad))) << bad;
  }
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_PG_URL", "http://pg.internal:8443/toss"}})));
  EXPECT_EQ(c.pg_url, "http://pg.internal:8443/toss");
}

TEST(ConfigFile, AbuseLimitsAndTrustedProxiesAreReadAndChecked) {
  TempDir dir;
  auto c = defaults_for("embedded");
  EXPECT_GT(c.limit_write_user_per_second, 0);  // on unless turned off
  EXPECT_TRUE(c.trusted_proxies.empty());
  ASSERT_TRUE(apply_file(c, write_file(dir, "c.json",
                                       R"({"limit_entry_user_per_second": 0, "limit_write_address_burst": 50,
                                           "max_connections_per_address": 0, "trusted_proxies": "10.0.0.0/8, ::1"})")));
  EXPECT_EQ(c.limit_entry_user_per_second, 0);
  EXPECT_EQ(c.limit_write_address_burst, 50);
  EXPECT_EQ(c.max_connections_per_address, 0);
  EXPECT_EQ(c.trusted_proxies, "10.0.0.0/8, ::1");
  for (const char* bad : {R"({"limit_entry_user_burst": 0})", R"({"limit_write_user_per_second": -1})",
                          R"({"trusted_proxies": "10.0.0.0/40"})", R"({"trusted_proxies": ["10.0.0.1"]})"}) {
    auto d = defaults_for("embedded");
    EXPECT_FALSE(apply_file(d, write_file(dir, "bad.json", bad))) << bad;
  }
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_TRUSTED_PROXIES", "192.0.2.1"}})));
  EXPECT_EQ(c.trusted_proxies, "192.0.2.1");
  const auto refused = apply_env(c, fake_env({{"CONCERTD_TRUSTED_PROXIES", "lb.internal"}}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().detail.find("CONCERTD_TRUSTED_PROXIES"), std::string::npos);
}

// --- apply_env ------------------------------------------------------------------

TEST(ConfigEnv, NoVariablesChangeNothing) {
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_env(c, fake_env({})));
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_TRUE(c.jwt_secret.empty());
}

TEST(ConfigEnv, ListenDataDirUrlsAndProfile) {
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_LISTEN", "[::1]:9443"},
                                     {"CONCERTD_DATA_DIR", "/var/lib/concertd"},
                                     {"CONCERTD_PROFILE", "local"},
                                     {"CONCERTD_MYSQL_URL", "mysql://u:p@db:3306/x"},
                                     {"CONCERTD_REDIS_URL", "redis://cache:6379/1"}})));
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 9443);
  EXPECT_EQ(c.data_dir, "/var/lib/concertd");
  EXPECT_EQ(c.profile, "local");
  EXPECT_EQ(c.mysql_url, "mysql://u:p@db:3306/x");
  EXPECT_EQ(c.redis_url, "redis://cache:6379/1");
}

TEST(ConfigEnv, BadListenIsRejected) {
  auto c = defaults_for("embedded");
  auto r = apply_env(c, fake_env({{"CONCERTD_LISTEN", "localhost"}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
}

TEST(ConfigEnv, JwtSecretOfSixteenBytesOrMoreIsTaken) {
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_JWT_SECRET", "0123456789abcdef"}})));
  EXPECT_EQ(c.jwt_secret, "0123456789abcdef");
}

TEST(ConfigEnv, JwtSecretTooShortIsRejected) {
  auto c = defaults_for("embedded");
  auto r = apply_env(c, fake_env({{"CONCERTD_JWT_SECRET", "0123456789abcde"}}));  // 15 bytes
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
  EXPECT_TRUE(c.jwt_secret.empty());
}

TEST(ConfigEnv, JwtSecretFileTrailingNewlineIsStripped) {
  TempDir dir;
  const auto path = write_file(dir, "secret", "s3cr3t-s3cr3t-s3cr3t\n");
  auto c = defaults_for("local");
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_JWT_SECRET_FILE", path}})));
  EXPECT_EQ(c.jwt_secret, "s3cr3t-s3cr3t-s3cr3t");
}

TEST(ConfigEnv, JwtSecretFileCrLfIsStripped) {
  TempDir dir;
  const auto path = write_file(dir, "secret", "s3cr3t-s3cr3t-s3cr3t\r\n");
  auto c = defaults_for("local");
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_JWT_SECRET_FILE", path}})));
  EXPECT_EQ(c.jwt_secret, "s3cr3t-s3cr3t-s3cr3t");
}

TEST(ConfigEnv, JwtSecretFileTooShortOrMissingIsRejected) {
  TempDir dir;
  auto c = defaults_for("local");
  // 15 bytes once the newline is gone: the newline must not count towards the minimum.
  EXPECT_FALSE(apply_env(c, fake_env({{"CONCERTD_JWT_SECRET_FILE", write_file(dir, "short", "0123456789abcde\n")}})));
  EXPECT_FALSE(apply_env(c, fake_env({{"CONCERTD_JWT_SECRET_FILE", dir.file("missing")}})));
  EXPECT_TRUE(c.jwt_secret.empty());
}

TEST(ConfigEnv, BothSecretSourcesAreRejected) {
  TempDir dir;
  const auto path = write_file(dir, "secret", "from-the-file-0123456789\n");
  auto c = defaults_for("local");
  auto r =
      apply_env(c, fake_env({{"CONCERTD_JWT_SECRET", "from-the-env-0123456789"}, {"CONCERTD_JWT_SECRET_FILE", path}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
  EXPECT_TRUE(c.jwt_secret.empty());
}

TEST(ConfigEnv, ErrorsNeverEchoTheSecret) {
  TempDir dir;
  const std::string secret = "short-secret";
  auto c = defaults_for("local");
  auto r = apply_env(c, fake_env({{"CONCERTD_JWT_SECRET", secret}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.find(secret), std::string::npos) << r.error().detail;
  auto f = apply_env(c, fake_env({{"CONCERTD_JWT_SECRET_FILE", write_file(dir, "s", secret + "\n")}}));
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().detail.find(secret), std::string::npos) << f.error().detail;
}

TEST(ConfigEnv, GatewaySecretsComeFromTheEnvironmentOrAFileLikeTheJwtSecret) {
  TempDir dir;
  for (const auto& secret : kGatewaySecrets) {
    SCOPED_TRACE(secret.env);
    const std::string file_env = std::string(secret.env) + "_FILE";
    auto c = defaults_for("local");
    EXPECT_TRUE((c.*secret.field).empty());
    ASSERT_TRUE(apply_env(c, fake_env({{secret.env, "gateway-secret-0123456789"}})));
    EXPECT_EQ(c.*secret.field, "gateway-secret-0123456789");
    EXPECT_TRUE(c.jwt_secret.empty());  // secrets are never mixed up
    for (const auto& other : kGatewaySecrets) {
      if (other.field != secret.field) {
        EXPECT_TRUE((c.*other.field).empty());
      }
    }
    auto f = defaults_for("local");
    ASSERT_TRUE(apply_env(f, fake_env({{file_env, write_file(dir, "pg", "from-a-file-0123456789\n")}})));
    EXPECT_EQ(f.*secret.field, "from-a-file-0123456789");
    EXPECT_FALSE(apply_env(f, fake_env({{secret.env, "short"}})));
    EXPECT_FALSE(
        apply_env(f, fake_env({{secret.env, "gateway-secret-0123456789"}, {file_env, write_file(dir, "pg2", "x")}})));
  }
}

TEST(ConfigEnv, ProfileBringsItsDefaults) {
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_PROFILE", "local"}, {"CONCERTD_REDIS_URL", "redis://r:6379/3"}})));
  EXPECT_EQ(c.mysql_url, defaults_for("local").mysql_url);
  EXPECT_EQ(c.redis_url, "redis://r:6379/3");
}

// Precedence end to end: defaults < file < environment.
TEST(ConfigEnv, DefaultsThenFileThenEnvironment) {
  TempDir dir;
  auto c = defaults_for("embedded");
  ASSERT_TRUE(apply_file(c, write_file(dir, "c.json", R"({"listen_port": 9001, "data_dir": "/file", "demo": true})")));
  ASSERT_TRUE(apply_env(c, fake_env({{"CONCERTD_DATA_DIR", "/env"}})));
  EXPECT_EQ(c.listen_host, "127.0.0.1");  // default
  EXPECT_EQ(c.listen_port, 9001);         // file
  EXPECT_TRUE(c.demo);                    // file
  EXPECT_EQ(c.data_dir, "/env");          // environment over file
}

// --- parse_listen -----------------------------------------------------------------

TEST(ParseListen, AcceptsHostPortForms) {
  auto a = parse_listen("0.0.0.0:9000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "0.0.0.0");
  EXPECT_EQ(a->second, 9000);

  auto b = parse_listen("[::1]:8080");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->first, "::1");
  EXPECT_EQ(b->second, 8080);

  auto c = parse_listen("localhost:0");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->first, "localhost");
  EXPECT_EQ(c->second, 0);

  auto d = parse_listen("127.0.0.1:65535");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->second, 65535);
}

TEST(ParseListen, RejectsMalformedAddresses) {
  for (const char* text : {"", "8080", ":8080", "host:", "host:65536", "host:-1", "host:+80", "host:80x", "host: 80",
                           "host:0x50", "host:99999999999999999999"}) {
    auto r = parse_listen(text);
    EXPECT_FALSE(r) << "'" << text << "' was accepted";
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
    }
  }
}

// --- parse_workers -----------------------------------------------------------------

TEST(ParseWorkers, AllNoneAndLists) {
  EXPECT_EQ(*parse_workers("all"),
            (std::set<std::string>{"promotion", "expiry", "relay", "purge", "reconcile", "audit"}));
  EXPECT_TRUE(parse_workers("none")->empty());
  EXPECT_EQ(*parse_workers("relay"), (std::set<std::string>{"relay"}));
  EXPECT_EQ(*parse_workers("purge,promotion"), (std::set<std::string>{"purge", "promotion"}));
  EXPECT_EQ(*parse_workers("relay,relay"), (std::set<std::string>{"relay"}));
}

TEST(ParseWorkers, RejectsUnknownOrEmptyNames) {
  for (const char* text : {"", "bogus", "relay,", ",relay", "relay,,expiry", "Relay", "relay, expiry", "ALL"}) {
    auto r = parse_workers(text);
    EXPECT_FALSE(r) << "'" << text << "' was accepted";
  }
}

// --- ensure_jwt_secret -------------------------------------------------------------

TEST(EnsureJwtSecret, KeepsAConfiguredSecretAndSaysNothing) {
  TempDir dir;
  auto c = defaults_for("embedded");
  c.data_dir = dir.file("data");
  c.jwt_secret = "configured-secret-0123456789";
  auto note = ensure_jwt_secret(c);
  ASSERT_TRUE(note);
  EXPECT_TRUE(note->empty());
  EXPECT_EQ(c.jwt_secret, "configured-secret-0123456789");
  EXPECT_FALSE(std::filesystem::exists(dir.file("data/jwt-secret")));
}

TEST(EnsureJwtSecret, EmbeddedCreatesAPrivateFileThenReusesIt) {
  TempDir dir;
  auto first = defaults_for("embedded");
  first.data_dir = dir.file("data");  // does not exist yet
  auto note = ensure_jwt_secret(first);
  ASSERT_TRUE(note) << note.error().detail;
  EXPECT_FALSE(note->empty());

  const auto path = dir.file("data/jwt-secret");
  ASSERT_TRUE(std::filesystem::exists(path));
  const auto perms = std::filesystem::status(path).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
      << "mode is " << std::oct << static_cast<unsigned>(perms);
  EXPECT_EQ(read_all(path), first.jwt_secret + "\n");
  EXPECT_EQ(first.jwt_secret.size(), 64u);  // 32 random bytes, hex
  EXPECT_EQ(note->find(first.jwt_secret), std::string::npos) << "the note must not reveal the secret";
  // No temporary file is left behind.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.file("data"))) ++entries;
  EXPECT_EQ(entries, 1u);

  auto second = defaults_for("embedded");
  second.data_dir = first.data_dir;
  auto again = ensure_jwt_secret(second);
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(second.jwt_secret, first.jwt_secret);
  EXPECT_EQ(read_all(path), first.jwt_secret + "\n");
}

TEST(EnsureJwtSecret, TwoDataDirsGetDifferentSecrets) {
  TempDir dir;
  auto a = defaults_for("embedded");
  a.data_dir = dir.file("a");
  auto b = defaults_for("embedded");
  b.data_dir = dir.file("b");
  ASSERT_TRUE(ensure_jwt_secret(a));
  ASSERT_TRUE(ensure_jwt_secret(b));
  EXPECT_NE(a.jwt_secret, b.jwt_secret);
}

// Two instances started at once must not end up with different secrets.
TEST(EnsureJwtSecret, RacingCallersAgreeOnOneSecret) {
  TempDir dir;
  std::vector<Config> configs(8, defaults_for("embedded"));
  for (auto& c : configs) c.data_dir = dir.file("data");
  std::vector<std::thread> threads;
  for (auto& c : configs) threads.emplace_back([&c] { ASSERT_TRUE(ensure_jwt_secret(c)); });
  for (auto& t : threads) t.join();
  for (const auto& c : configs) EXPECT_EQ(c.jwt_secret, configs.front().jwt_secret);
  EXPECT_EQ(read_all(dir.file("data/jwt-secret")), configs.front().jwt_secret + "\n");
}

TEST(EnsureJwtSecret, AnExistingFileIsUsedAsIs) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("data"));
  write_file(dir, "data/jwt-secret", "operator-provided-secret-0123\n");
  auto c = defaults_for("embedded");
  c.data_dir = dir.file("data");
  auto note = ensure_jwt_secret(c);
  ASSERT_TRUE(note) << note.error().detail;
  EXPECT_EQ(c.jwt_secret, "operator-provided-secret-0123");
  EXPECT_NE(note->find("using"), std::string::npos) << *note;
  EXPECT_EQ(note->find(c.jwt_secret), std::string::npos) << "the note must not reveal the secret";
}

TEST(EnsureJwtSecret, UnusableDataDirIsAClearError) {
  TempDir dir;
  auto c = defaults_for("embedded");
  c.data_dir = write_file(dir, "a-file", "x") + "/data";  // a directory under a regular file
  auto r = ensure_jwt_secret(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find(c.data_dir), std::string::npos) << r.error().detail;
  EXPECT_TRUE(c.jwt_secret.empty());
}

TEST(EnsureJwtSecret, LocalProfileWithoutSecretIsAnError) {
  TempDir dir;
  auto c = defaults_for("local");
  c.data_dir = dir.file("data");
  auto r = ensure_jwt_secret(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(r.error().detail.find("CONCERTD_JWT_SECRET"), std::string::npos);
  EXPECT_TRUE(c.jwt_secret.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.file("data/jwt-secret")));
}

}  // namespace
}  // namespace concert::platform
