#include "bench/rush/options.hpp"

#include <CLI/CLI.hpp>

#include "bench/http/secret_flags.hpp"

namespace concert::bench::rush {

namespace {

void add_flags(CLI::App& app, RushOptions& o, SecretFlags& secret) {
  app.add_option("--url", o.urls, "base URL of a concertd instance (repeatable), e.g. http://127.0.0.1:8080")
      ->required();
  add_secret_flags(app, secret);

  app.add_option("--users", o.users, "fans in the rush")->check(CLI::Range(1, 1'000'000))->capture_default_str();
  app.add_option("--seats", o.seats, "seats on sale")->check(CLI::Range(1, 100'000))->capture_default_str();
  app.add_option("--admit-per-second", o.admit_per_second, "queue promotion rate of the schedule")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--max-active", o.max_active, "fans ACTIVE at once")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--active-ttl", o.active_ttl_seconds, "seconds an ACTIVE token lasts")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();

  app.add_option("--ramp", o.ramp_seconds, "fans arrive within this many seconds")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--duration", o.duration_seconds, "hard bound of the sale in seconds")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  app.add_option("--settle", o.settle_seconds, "seconds to wait for the relay and the sweep before the checks")
      ->check(CLI::Range(0.0, 60.0))
      ->capture_default_str();

  app.add_option("--connections", o.connections, "keep-alive connections per URL")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  app.add_option("--io-threads", o.io_threads, "client IO threads (fans are split between them)")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  app.add_option("--request-timeout-ms", o.request_timeout_ms, "client timeout of one request")
      ->check(CLI::Range(10, 600'000))
      ->capture_default_str();
  app.add_option("--poll-cap-ms", o.poll_cap_ms, "longest pause between queue polls")
      ->check(CLI::Range(10, 60'000))
      ->capture_default_str();

  const auto rate = CLI::Range(0.0, 1.0);
  app.add_option("--abandon-rate", o.abandon_rate, "fans who let their hold expire")
      ->check(rate)
      ->capture_default_str();
  app.add_option("--duplicate-click-rate", o.duplicate_click_rate,
                 "keyed requests sent twice at once (same key, a double click)")
      ->check(rate)
      ->capture_default_str();
  app.add_flag("--allow-503", o.allow_503,
               "the gateway is faulty on purpose: 503 answers (retried by the fans) do not fail the run; "
               "other 5xx still do");
  app.add_option("--retry-rate", o.retry_rate,
                 "keyed requests whose client times out once sent, then retries with the same key")
      ->check(rate)
      ->capture_default_str();
  app.add_option("--cancel-rate", o.cancel_rate, "fans who cancel their hold")->check(rate)->capture_default_str();
  app.add_option("--refund-rate", o.refund_rate, "buyers who ask for a refund")->check(rate)->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the fans' choices")->capture_default_str();

  app.add_option("--db", o.db, "store to check: sqlite:PATH or mysql://user:pass@host:port/db");
  app.add_option("--events", o.events, "event sink to check: jsonl:PATH or redis://host:port/db");
  app.add_option("--redis-prefix", o.redis_prefix, "redis_key_prefix of the instances");
  app.add_option(
      "--ledger", o.ledgers,
      "gateway ledger: a sandbox's <data-dir>/sandbox-gateway.jsonl, or concert-pgsim's http://HOST:PORT (repeatable)");
  app.add_option("--history", o.history,
                 "record every fan request and answer in FILE (JSON lines), then hold the database and the event "
                 "sink to them (with --db)");
}

}  // namespace

ParsedOptions parse_options(int argc, char** argv) {
  CLI::App app{"concert-rush: plays a whole ticket rush against concertd, then checks SPEC §5 invariants"};
  RushOptions o;
  SecretFlags secret;
  add_flags(app, o, secret);
  try {
    app.parse(argc, argv);
    o.jwt_secret = resolve_secret(secret);
    if (o.jwt_secret.empty()) throw CLI::RequiredError("--jwt-secret or --jwt-secret-file");
    if (o.abandon_rate + o.cancel_rate > 1.0) {
      throw CLI::ValidationError("--abandon-rate + --cancel-rate", "must not exceed 1");
    }
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, app.exit(e)};
  }
  return {o, 0};
}

}  // namespace concert::bench::rush
