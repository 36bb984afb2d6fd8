// The HTTP/1.1 transport (Boost.Beast): accepts connections, reads requests
// (RequestReader) under deadlines, hands each complete one to the Handler and
// writes the answer. It knows nothing of routes; Beast stays inside server.cpp
// and request_reader.cpp.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/http/message.hpp"
#include "platform/client_address.hpp"

namespace concert::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

// An answer the transport gave by itself, without the Handler: a malformed,
// oversized or too slow request (400, 413, 417, 431, 408), a connection over the
// limit (503) or over its address's cap (429), or a Handler that threw (500). The observer logs and counts it
// like a routed answer and may add headers (a request id) before it is sent.
struct TransportAnswer {
  std::string_view method;  // "" when the request line was never read
  std::string_view remote;
  std::chrono::steady_clock::duration took;  // since the request's first byte
};
using TransportObserver = std::function<void(const TransportAnswer&, Response&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;  // threads of the server's own, each with one io_context for its connections
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;
  int max_connections = 10'000;
  // Open connections per client address (platform::limit_unit; 0: no cap). A
  // trusted proxy carries many clients, so it is never capped.
  int max_connections_per_address = 0;
  platform::TrustedProxies trusted_proxies;
  std::chrono::milliseconds read_timeout{10'000};  // a whole request, once its first byte arrived (then 408)
  std::chrono::milliseconds idle_timeout{30'000};  // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  // Set while the instance drains (SIGTERM): answers close their connection, so
  // clients come back through the load balancer to another instance.
  const std::atomic<bool>* draining = nullptr;
};

class HttpServer {
 public:
  // Binds at once (port 0 picks a free port; see bound_port()).
  // `ioc` accepts and runs the shutdown, and must be run by one thread (the
  // acceptor is not thread-safe); connections live on io_threads
  // io_contexts of the server's own, each run by one thread from start() until
  // the server is destroyed.
  HttpServer(boost::asio::io_context& ioc, ServerOptions options, Handler handler, TransportObserver observer = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  unsigned short bound_port() const;
  void start();
  // Graceful: stop accepting, close idle connections, let in-flight requests
  // finish and answer, force-close what remains after shutdown_grace.
  void stop();
  std::size_t open_connections() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::vector<std::unique_ptr<boost::asio::io_context>> connection_contexts_;
  std::vector<std::thread> threads_;
};

}  // namespace concert::http
