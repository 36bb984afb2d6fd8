#include "pgsim/options.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace concert::pgsim {

namespace {

// The whole file without its trailing newline (and carriage return); nullopt if unreadable.
std::optional<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

int refuse(const std::string& message) {
  std::cerr << "concert-pgsim: " << message << "\n";
  return 2;
}

}  // namespace

std::optional<std::pair<std::string, unsigned short>> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  unsigned value = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || first == last || value > 65535) return std::nullopt;
  return std::pair{text.substr(0, colon), static_cast<unsigned short>(value)};
}

tl::expected<Options, int> parse_options(int argc, char** argv) {
  CLI::App app{"concert-pgsim: a payment-gateway simulator serving the Toss-Payments-modelled API of concertd"};
  Options o;
  std::string listen = "127.0.0.1:9090";
  std::string secret_file;
  std::string webhook_secret_file;
  int latency_ms = 0;
  int jitter_ms = 0;
  int hang_ms = static_cast<int>(o.lost_answer_hang.count());
  int webhook_delay_ms = 0;
  std::uint64_t seed = 0;
  const auto rate = CLI::Range(0.0, 1.0);
  const auto non_negative = CLI::NonNegativeNumber;

  app.add_option("--listen", listen, "HOST:PORT to serve on (port 0 picks a free one)")->capture_default_str();
  app.add_option("--ledger", o.ledger_path, "SQLite ledger file (created if missing)")->required();
  app.add_option("--secret-file", secret_file,
                 "file holding the gateway secret key (else the environment's PGSIM_SECRET)");
  app.add_option("--webhook-url", o.webhook_url, "where to POST a signed report after every charge");
  app.add_option("--webhook-secret-file", webhook_secret_file, "file holding the secret that signs the reports");
  app.add_option("--latency-ms", latency_ms, "answer each request this much later")->check(non_negative);
  app.add_option("--latency-jitter-ms", jitter_ms, "plus or minus a uniform delay up to this")->check(non_negative);
  app.add_option("--error-rate", o.error_rate, "share of requests answered 500 before anything is recorded")
      ->check(rate);
  app.add_option("--lost-answer-rate", o.lost_answer_rate,
                 "share of charges and refunds recorded and then never answered (the connection is closed)")
      ->check(rate);
  app.add_option("--lost-answer-hang-ms", hang_ms,
                 "how long a lost answer holds its connection before closing it (0: close at once)")
      ->check(non_negative)
      ->capture_default_str();
  app.add_option("--decline-over", o.decline_over, "charges above this amount are declined")
      ->check(non_negative)
      ->capture_default_str();
  app.add_option("--duplicate-webhook-rate", o.duplicate_webhook_rate, "share of reports sent twice")->check(rate);
  app.add_option("--webhook-loss-rate", o.webhook_loss_rate, "share of reports never sent")->check(rate);
  app.add_option("--webhook-delay-ms", webhook_delay_ms,
                 "delay each report by a uniform wait up to this (so reports arrive reordered)")
      ->check(non_negative);
  auto* seed_option = app.add_option("--seed", seed, "seed of every fault draw (default: random, printed at start)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return tl::unexpected(app.exit(e));
  }

  const auto address = parse_listen(listen);
  if (!address) return tl::unexpected(refuse("--listen must be HOST:PORT, not '" + listen + "'"));
  std::tie(o.listen_host, o.listen_port) = *address;

  if (!secret_file.empty()) {
    auto secret = read_secret_file(secret_file);
    if (!secret) return tl::unexpected(refuse("cannot read --secret-file " + secret_file));
    o.secret = std::move(*secret);
  } else if (const char* env = std::getenv("PGSIM_SECRET")) {
    o.secret = env;
  }
  if (o.secret.empty()) {
    return tl::unexpected(refuse("no gateway secret: pass --secret-file FILE or set PGSIM_SECRET (not empty)"));
  }

  if (!webhook_secret_file.empty()) {
    auto secret = read_secret_file(webhook_secret_file);
    if (!secret) return tl::unexpected(refuse("cannot read --webhook-secret-file " + webhook_secret_file));
    o.webhook_secret = std::move(*secret);
  }
  if (!o.webhook_url.empty() && o.webhook_secret.empty()) {
    return tl::unexpected(refuse("--webhook-url needs --webhook-secret-file (a file that is not empty)"));
  }

  o.latency = std::chrono::milliseconds(latency_ms);
  o.latency_jitter = std::chrono::milliseconds(jitter_ms);
  o.lost_answer_hang = std::chrono::milliseconds(hang_ms);
  o.webhook_delay = std::chrono::milliseconds(webhook_delay_ms);
  if (seed_option->count() > 0) o.seed = seed;
  return o;
}

}  // namespace concert::pgsim
