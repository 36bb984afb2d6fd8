// concert-rush's command line: where the servers are, the shape of the crowd,
// and where to read the data the invariants are checked against.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace concert::bench::rush {

struct RushOptions {
  std::vector<std::string> urls;  // http://127.0.0.1:PORT, one per concertd instance
  std::string jwt_secret;         // HS256 secret the instances verify tokens with

  // The sale the tool sets up for itself.
  int users = 500;
  int seats = 50;
  int admit_per_second = 100;
  int max_active = 100;
  int active_ttl_seconds = 60;

  // Time: fans arrive within `ramp`; everything stops at `duration`, then at most
  // `settle` more seconds wait for the relay and the sweep before the checks.
  double ramp_seconds = 5;
  double duration_seconds = 60;
  double settle_seconds = 5;

  // The client.
  int connections = 32;  // per URL
  int io_threads = 1;
  int request_timeout_ms = 5000;
  int poll_cap_ms = 2000;  // longest pause between two queue-status polls

  // How fans behave (probabilities per fan).
  double abandon_rate = 0.1;
  double duplicate_click_rate = 0.1;
  double retry_rate = 0.05;
  bool allow_503 = false;  // a faulty gateway: 503 answers do not fail the run
  double cancel_rate = 0.05;
  double refund_rate = 0.05;
  std::uint64_t seed = 1;

  // The checks (SPEC §5).
  std::string db;      // sqlite:PATH | mysql://user:pass@host:port/db; empty: no checks
  std::string events;  // jsonl:PATH | redis://host:port/db
  std::string redis_prefix;
  std::vector<std::string> ledgers;
  // Every fan request and its answer as JSON lines, checked after the run
  // (audit/history.hpp) when --db is given; empty: not recorded.
  std::string history;
};

struct ParsedOptions {
  std::optional<RushOptions> options;  // empty: exit with exit_code (help, or a usage error)
  int exit_code = 0;
};

ParsedOptions parse_options(int argc, char** argv);

}  // namespace concert::bench::rush
