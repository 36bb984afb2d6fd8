// Every tunable of concertd with its default (SPEC §7). Sources, in order: the
// profile's defaults, a JSON file (keys are these field names), CONCERTD_*
// environment variables, command-line flags (applied by main.cpp).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "domain/errors.hpp"

namespace concert::platform {

struct Config {
  std::string profile = "embedded";
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 8080;  // 0 picks a free port (tests)
  std::string data_dir = "./concertd-data";
  std::string jwt_secret;  // only from the environment or a file; never logged
  // Signs the payment gateway's callbacks (POST /webhooks/pg); likewise. Empty:
  // every callback is refused, as none can be verified.
  std::string pg_webhook_secret;
  bool demo = false;
  std::set<std::string> workers{"promotion", "expiry", "relay", "purge", "reconcile", "audit"};
  std::string log_level = "info";

  // Threads and bounds of the HTTP server and the database pool.
  int io_threads = 2;
  int db_threads = 4;
  int db_queue_limit = 2048;
  // Work no database thread took by then answers 503 at that moment instead:
  // below 2 s, within which a client must have been told (issue 13 item 4).
  int db_queue_timeout_ms = 1'500;
  int body_limit_bytes = 64 * 1024;
  int header_limit_bytes = 8 * 1024;
  int max_connections = 10'000;
  int read_timeout_ms = 10'000;
  int idle_timeout_ms = 30'000;
  // SPEC §6 shutdown: after SIGTERM, /readyz answers 503 and requests are still
  // served this long, so the load balancer stops sending before the port closes.
  // Set it above the balancer's time to notice (deploy/: 5 s); 0: stop at once.
  int drain_ms = 0;

  // Sale rules and background workers.
  int hold_ttl_seconds = 300;
  int sweep_interval_ms = 500;
  int relay_interval_ms = 200;
  int relay_batch = 500;
  int promotion_interval_ms = 100;
  // The refund reconciler: how often it looks, and how long a REFUND_PENDING
  // payment stays untouched before it takes it over.
  int reconcile_interval_ms = 5'000;
  int reconcile_after_ms = 30'000;
  // The continuous invariant auditor (SPEC §6; bootstrap/invariant_auditor.hpp).
  int audit_interval_ms = 30'000;
  // How long an instance serves its own copy of a shared (Redis) seat map before
  // looking again: other instances' changes show up within this.
  int seat_map_local_ttl_ms = 500;
  // How often an instance replays the shared (Redis) queue's moves into the
  // snapshot it answers polls from: other instances' admissions show within this.
  int queue_refresh_interval_ms = 100;
  int idempotency_ttl_hours = 24;
  // Queue settings and seat limit of a schedule created without its own.
  int admit_per_second = 50;
  int max_active = 500;
  int active_ttl_seconds = 600;
  int waiting_idle_ttl_seconds = 120;
  int max_seats_per_user = 4;

  // The abuse limits of SPEC §4: token buckets per user and per client address
  // (IPv4 /32, IPv6 /64), refilled so many tokens a second up to a burst; a rate
  // of 0 turns that limit off. Over a limit: 429 rate-limited with Retry-After.
  int limit_entry_user_per_second = 1;
  int limit_entry_user_burst = 5;
  int limit_entry_address_per_second = 50;  // a venue's or a campus' NAT is one address
  int limit_entry_address_burst = 200;
  int limit_write_user_per_second = 5;  // holds, payments and refunds
  int limit_write_user_burst = 20;
  int limit_write_address_per_second = 100;
  int limit_write_address_burst = 500;
  int max_connections_per_address = 256;  // 0: no cap; trusted proxies are never capped
  // Addresses and CIDR blocks ("10.0.0.0/8,::1") of the proxies whose
  // X-Forwarded-For names the client; empty: the TCP peer is the client.
  std::string trusted_proxies;

  // The payment gateway over HTTP (docs/payment-gateway.md); empty URL: the
  // in-process sandbox. The secret comes only from the environment or a file.
  std::string pg_url;
  std::string pg_secret;
  int pg_connect_timeout_ms = 500;
  int pg_timeout_ms = 3'000;  // one attempt, whole
  int pg_attempts = 3;
  int pg_backoff_ms = 100;  // before the second attempt; doubled after, full jitter
  int pg_breaker_failures = 5;
  int pg_breaker_open_ms = 5'000;
  // Threads that run payments and refunds; they wait on the gateway holding no
  // database connection, so they are many more than db_threads.
  int payment_threads = 64;
  // Threads that run queue entry, leaving and abuse-limit checks (Redis on the
  // local profile), apart from the database's, so neither stalls the other.
  int queue_threads = 8;

  // The embedded sandbox payment gateway: charges above this many KRW are declined.
  long long sandbox_decline_over_amount = 1'000'000;
  int sandbox_latency_ms = 0;

  // The fault switch (canary rehearsals, deploy/rehearsal): a share of /api/v1
  // requests, in thousandths, answered 500 `injected-fault` before anything runs,
  // and a delay added to every /api/v1 request. Off (0) unless set; logged loudly.
  int fault_error_per_mille = 0;
  int fault_delay_ms = 0;

  // The local/production profile (read by its adapters).
  std::string mysql_url;
  // A read replica of mysql_url for catalogue and seat-map reads (SPEC §8); empty:
  // everything reads the primary. Used while it is up and at most
  // replica_max_lag_ms behind (measured by this instance's own heartbeat row).
  std::string mysql_replica_url;
  int replica_max_lag_ms = 1'000;
  std::string redis_url;
  std::string redis_key_prefix;  // namespaces every Redis key (several deployments on one Redis)
};

// Reads one environment variable; injected so tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const char*)>;

// The integer settings of a config file: key, field and accepted range (both ends included).
struct IntSetting {
  const char* name;
  int Config::*field;
  long long min, max;
};
std::span<const IntSetting> int_settings();

Config defaults_for(std::string_view profile);
// Unknown keys, wrong types and out-of-range values are rejected, naming the key.
domain::Result<void> apply_file(Config& config, const std::string& path);
// CONCERTD_LISTEN, _PROFILE, _DATA_DIR, _TRUSTED_PROXIES, _JWT_SECRET or _JWT_SECRET_FILE, _PG_WEBHOOK_SECRET or
// _PG_WEBHOOK_SECRET_FILE, _PG_URL, _PG_SECRET or _PG_SECRET_FILE, _MYSQL_URL, _MYSQL_REPLICA_URL, _REDIS_URL.
domain::Result<void> apply_env(Config& config, const EnvLookup& getenv);
// "HOST:PORT" or "[IPV6]:PORT".
domain::Result<std::pair<std::string, unsigned short>> parse_listen(std::string_view text);
// "all", "none" or a comma-separated list of promotion, expiry, relay, purge.
domain::Result<std::set<std::string>> parse_workers(std::string_view text);
// Makes sure a JWT secret is configured. Embedded: reads or creates
// <data_dir>/jwt-secret (mode 0600) and returns a note saying so; other profiles
// must be given one. Returns an empty note when the secret was already set.
domain::Result<std::string> ensure_jwt_secret(Config& config);

}  // namespace concert::platform
