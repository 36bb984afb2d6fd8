// A blocking HTTP/1.1 client for calls to other services (the payment gateway,
// the simulator's webhooks), with a connect timeout, a total timeout per call and
// a bounded set of idle keep-alive connections, so a rush does not open (and
// leave in TIME_WAIT) one connection per call. Beast does the HTTP; its sync
// calls have no timeouts, so each call runs Beast's async operations on the
// connection's own io_context, on the caller's thread, until they finish or the
// deadline closes the socket.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "domain/errors.hpp"

namespace concert::platform {

struct HttpEndpoint {
  std::string host;
  unsigned short port = 80;
  std::string base_path;  // prefixed to every target; no trailing '/'
};

// "http://host[:port][/base]"; https is not spoken here (terminate TLS in a sidecar).
domain::Result<HttpEndpoint> parse_http_url(std::string_view url);

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds total_timeout{3000};  // connect + send + the whole answer
  std::size_t max_idle_connections = 64;
  std::size_t max_answer_bytes = 1 << 20;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
};

struct HttpFailure {
  // False when the request certainly never reached the server (no connection):
  // nothing it asked for can have happened.
  bool maybe_sent = true;
  bool timed_out = false;
  std::string detail;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  HttpClient(HttpEndpoint endpoint, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request (target relative to the base path). Safe from many threads at once.
  tl::expected<HttpAnswer, HttpFailure> call(std::string_view method, std::string_view target,
                                             const HttpHeaders& headers, const std::string& body);

  const HttpEndpoint& endpoint() const { return endpoint_; }

 private:
  struct Connection;
  std::unique_ptr<Connection> take_idle();
  void give_back(std::unique_ptr<Connection> connection);
  tl::expected<HttpAnswer, HttpFailure> exchange(Connection& connection, bool fresh, std::string_view method,
                                                 std::string_view target, const HttpHeaders& headers,
                                                 const std::string& body);

  HttpEndpoint endpoint_;
  HttpClientOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace concert::platform
