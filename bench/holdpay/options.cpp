#include "bench/holdpay/options.hpp"

#include <CLI/CLI.hpp>
#include <map>

#include "adapters/mysql/mysql_url.hpp"
#include "bench/http/host_pool.hpp"
#include "bench/http/secret_flags.hpp"

namespace concert::bench::holdpay {

namespace {

// Load only ever goes to this machine.
bool loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

void add_flags(CLI::App& app, HoldPayOptions& o, SecretFlags& secret) {
  auto* url = app.add_option("--url", o.url, "concertd to measure, http://127.0.0.1:PORT (either profile)");
  auto* mysql = app.add_option("--mysql", o.mysql_url,
                               "raw SQL baseline on MariaDB/MySQL with concertd's schema, "
                               "mysql://user:pass@127.0.0.1:PORT/DB");
  auto* sqlite = app.add_option("--sqlite", o.sqlite_path, "raw SQL baseline on a SQLite file with concertd's schema");
  url->excludes(mysql)->excludes(sqlite);
  mysql->excludes(sqlite);
  add_secret_flags(app, secret);
  app.add_option("--hold-sql", o.hold_sql,
                 "baseline: the UPDATE that takes a seat, in-list (id IN (?), as a JDBC app writes it) or "
                 "concertd (the server's own text, id list through JSON_TABLE / json_each)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, HoldSql>{{"in-list", HoldSql::InList}, {"concertd", HoldSql::Concertd}}))
      ->excludes(url);
  app.add_option("--statements", o.statements,
                 "baseline: lean (the essential statements) or concertd (every statement concertd's store sends "
                 "for a keyed hold and payment: idempotency records, fan lock, seat-limit read, payment claim; "
                 "implies --hold-sql concertd)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Statements>{{"lean", Statements::Lean}, {"concertd", Statements::Concertd}}))
      ->excludes(url);

  app.add_option("--fans", o.fans, "fans, one seat and one hold+pay each")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--connections", o.connections, "concurrent workers, each with its own connection")
      ->check(CLI::Range(1, 1'000))
      ->capture_default_str();
  app.add_option("--timeout-seconds", o.timeout_seconds, "hard bound of the whole run, set-up included")
      ->check(CLI::Range(1.0, 86'400.0))
      ->capture_default_str();
  app.add_option("--request-timeout-ms", o.request_timeout_ms, "HTTP: client timeout of one request")
      ->check(CLI::Range(10, 600'000))
      ->capture_default_str();
}

void check_target(HoldPayOptions& o, const SecretFlags& secret) {
  if (!o.url.empty()) {
    o.target = Target::Http;
    const auto base = parse_base_url(o.url);
    if (!base) throw CLI::ValidationError("--url", o.url + " is not http://HOST:PORT");
    if (!loopback(base->host)) throw CLI::ValidationError("--url", "only 127.0.0.1 may be loaded");
    o.jwt_secret = resolve_secret(secret);
    if (o.jwt_secret.empty()) throw CLI::RequiredError("--jwt-secret or --jwt-secret-file (with --url)");
  } else if (!o.mysql_url.empty()) {
    o.target = Target::Mysql;
    const auto endpoint = adapters::mysql::parse_mysql_url(o.mysql_url);
    if (!endpoint) throw CLI::ValidationError("--mysql", endpoint.error().detail);
    if (!loopback(endpoint->host)) throw CLI::ValidationError("--mysql", "only 127.0.0.1 may be loaded");
  } else if (!o.sqlite_path.empty()) {
    o.target = Target::Sqlite;
  } else {
    throw CLI::RequiredError("one of --url, --mysql or --sqlite");
  }
}

std::string hold_sql_of(const HoldPayOptions& o) {
  if (o.statements == Statements::Concertd) return " (every statement concertd sends)";
  return o.hold_sql == HoldSql::InList ? " (hold UPDATE: id IN (?))" : " (hold UPDATE: concertd's text)";
}

}  // namespace

ParsedOptions parse_options(int argc, char** argv) {
  CLI::App app{
      "concert-holdpay: hold+pay transactions per second of concertd (--url), or of the same statements sent "
      "straight to the database (--mysql, --sqlite)"};
  HoldPayOptions o;
  SecretFlags secret;
  add_flags(app, o, secret);
  try {
    app.parse(argc, argv);
    check_target(o, secret);
    if (o.statements == Statements::Concertd) o.hold_sql = HoldSql::Concertd;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the help or the complaint
    return {std::nullopt, code == 0 ? 0 : 2};
  }
  return {o, 0};
}

std::string describe_target(const HoldPayOptions& o) {
  switch (o.target) {
    case Target::Http:
      return "concertd at " + o.url;
    case Target::Mysql: {
      const auto e = adapters::mysql::parse_mysql_url(o.mysql_url);
      return "raw SQL on MariaDB at " + e->host + ":" + std::to_string(e->port) + "/" + e->database + hold_sql_of(o);
    }
    case Target::Sqlite:
      return "raw SQL on SQLite " + o.sqlite_path + hold_sql_of(o);
  }
  return "?";
}

}  // namespace concert::bench::holdpay
