// The command line of concert-pgsim (SPEC §7 and docs/payment-gateway.md), and
// the secrets it names, read once at start.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tl/expected.hpp>

namespace concert::pgsim {

struct Options {
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 9090;  // 0 picks a free port
  std::string ledger_path;
  std::string secret;  // the merchant's secret key (Basic auth user name)

  std::string webhook_url;     // empty: no callbacks
  std::string webhook_secret;  // signs the callbacks (PG-Signature)
  double duplicate_webhook_rate = 0;
  double webhook_loss_rate = 0;
  std::chrono::milliseconds webhook_delay{0};  // each callback waits a uniform [0, delay]

  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds latency_jitter{0};
  double error_rate = 0;
  double lost_answer_rate = 0;
  std::chrono::milliseconds lost_answer_hang{10'000};  // a lost answer holds the connection this long, then closes it

  std::int64_t decline_over = 1'000'000;  // charges above this amount are declined
  std::optional<std::uint64_t> seed;      // none: one from std::random_device
};

// Parses argv and reads the secret files. When the simulator must not run
// (--help, a bad flag, no secret), the message is printed already and the
// error is the exit code for main.
tl::expected<Options, int> parse_options(int argc, char** argv);

// "HOST:PORT"; nullopt when malformed.
std::optional<std::pair<std::string, unsigned short>> parse_listen(const std::string& text);

}  // namespace concert::pgsim
