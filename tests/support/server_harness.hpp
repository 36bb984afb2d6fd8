// An in-process HttpServer on 127.0.0.1:0 with its accept io_context run on a
// thread of the test (one, as concertd runs it: the acceptor is not thread-safe,
// and TSan saw stop() close it while a second thread accepted), for tests of the
// transport itself.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "adapters/http/server.hpp"

namespace concert::testing {

using namespace std::chrono_literals;

class ServerHarness {
 public:
  ServerHarness(http::ServerOptions options, http::Handler handler, http::TransportObserver observer = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<http::HttpServer>(ioc_, std::move(options), std::move(handler), std::move(observer));
    port_ = server_->bound_port();  // read before the acceptor is in use on the io thread
    server_->start();
    threads_.emplace_back([this] {
      ioc_.run();
      ++returned_;
    });
  }
  ~ServerHarness() { stop(5s); }
  ServerHarness(const ServerHarness&) = delete;
  ServerHarness& operator=(const ServerHarness&) = delete;

  unsigned short port() const { return port_; }
  http::HttpServer& server() { return *server_; }

  // Graceful stop; true when both io threads returned from run() within `limit`
  // on their own (otherwise the io_context is stopped by force).
  bool stop(std::chrono::milliseconds limit) {
    if (stopped_) return clean_;
    stopped_ = true;
    server_->stop();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (returned_.load() < threads_.size() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    clean_ = returned_.load() == threads_.size();
    if (!clean_) ioc_.stop();
    for (auto& t : threads_) t.join();
    return clean_;
  }

  // Waits until the server counts `n` open connections.
  bool wait_connections(std::size_t n, std::chrono::milliseconds limit = 2s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (server_->open_connections() != n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(2ms);
    return server_->open_connections() == n;
  }

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<http::HttpServer> server_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> returned_{0};
  unsigned short port_ = 0;
  bool stopped_ = false;
  bool clean_ = false;
};

}  // namespace concert::testing
