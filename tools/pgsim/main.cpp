// concert-pgsim: the payment-gateway simulator shipped with concertd
// (docs/payment-gateway.md). Wires the options, the ledger, the faults, the
// webhook sender and the API onto the product's HTTP server, and runs until
// SIGTERM or SIGINT (then exits 0).
// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <memory>
#include <random>

#include "adapters/http/blocking_pool.hpp"
#include "adapters/http/server.hpp"
#include "pgsim/api.hpp"
#include "pgsim/faults.hpp"
#include "pgsim/ledger.hpp"
#include "pgsim/options.hpp"
#include "pgsim/webhook_sender.hpp"
#include "platform/logging.hpp"

using namespace concert;

namespace {

int run(const pgsim::Options& o) {
  const std::uint64_t seed = o.seed.value_or((std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}());

  std::unique_ptr<pgsim::Ledger> ledger;
  try {
    ledger = std::make_unique<pgsim::Ledger>(o.ledger_path);
  } catch (const std::exception& e) {
    std::cerr << "concert-pgsim: " << e.what() << "\n";
    return 1;
  }

  pgsim::Faults faults({o.latency, o.latency_jitter, o.error_rate, o.lost_answer_rate, o.webhook_delay,
                        o.webhook_loss_rate, o.duplicate_webhook_rate},
                       seed);
  std::unique_ptr<pgsim::WebhookSender> webhooks;
  if (!o.webhook_url.empty()) {
    try {
      pgsim::WebhookSettings settings;
      settings.url = o.webhook_url;
      settings.secret = o.webhook_secret;
      webhooks = std::make_unique<pgsim::WebhookSender>(std::move(settings), faults);
    } catch (const std::exception& e) {
      std::cerr << "concert-pgsim: --webhook-url: " << e.what() << "\n";
      return 2;
    }
  }

  http::BlockingPool pool(4, 10'000);
  pgsim::Api api({o.secret, o.decline_over, o.lost_answer_hang}, *ledger, faults, pool, webhooks.get());

  boost::asio::io_context ioc(1);
  http::ServerOptions options;
  options.host = o.listen_host;
  options.port = o.listen_port;
  options.io_threads = 2;
  options.shutdown_grace = std::chrono::seconds(5);
  std::unique_ptr<http::HttpServer> server;
  try {
    server =
        std::make_unique<http::HttpServer>(ioc, options, [&api](http::Request r) { return api.handle(std::move(r)); });
    server->start();
  } catch (const std::exception& e) {
    std::cerr << "concert-pgsim: cannot listen on " << o.listen_host << ":" << o.listen_port << ": " << e.what()
              << "\n";
    return 1;
  }
  platform::log_json(spdlog::level::info,
                     {{"msg", "listening"},
                      {"address", o.listen_host + ":" + std::to_string(server->bound_port())},
                      {"ledger", o.ledger_path},
                      {"seed", std::to_string(seed)},  // text: exact for --seed, whatever reads it
                      {"webhooks", o.webhook_url.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.webhook_url)}});
  platform::flush_logs();  // tests and scripts wait for this line

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    platform::log_json(spdlog::level::info, {{"msg", "shutting down"}, {"signal", signal}});
    api.stop();
    server->stop();
  });

  ioc.run();  // returns once stop() has drained the connections
  pool.finish();
  server.reset();
  webhooks.reset();
  platform::log_json(spdlog::level::info, {{"msg", "stopped"}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = pgsim::parse_options(argc, argv);
  if (!options) return options.error();
  platform::init_logging("info");
  platform::LoggingGuard logging;
  return run(*options);
}
