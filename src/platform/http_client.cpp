#include "platform/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace concert::platform {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

domain::Result<HttpEndpoint> parse_http_url(std::string_view url) {
  const auto bad = [&](const char* why) {
    return domain::fail(domain::ErrorCode::InvalidInput, "'" + std::string(url) + "' is not an http URL: " + why);
  };
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return bad("it must start with http://");
  auto rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  HttpEndpoint e;
  if (slash != std::string_view::npos) {
    e.base_path = std::string(rest.substr(slash));
    while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("an unclosed '['");
    e.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after ']'");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (e.host.empty()) return bad("no host");
  if (!port_text.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return bad("the port must be 1..65535");
    }
    e.port = static_cast<unsigned short>(value);
  }
  return e;
}

struct HttpClient::Connection {
  boost::asio::io_context ioc{1};
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;

  // Runs one async operation (started by `start`, which stores its error in the
  // given slot) to its end on this thread; the stream's expiry cancels it.
  template <typename Start>
  boost::system::error_code run(Start&& start) {
    boost::system::error_code result = boost::asio::error::operation_aborted;
    ioc.restart();
    start(result);
    ioc.run();
    return result;
  }
};

HttpClient::HttpClient(HttpEndpoint endpoint, HttpClientOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Connection> HttpClient::take_idle() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return nullptr;
  auto c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void HttpClient::give_back(std::unique_ptr<Connection> connection) {
  if (!connection->stream.socket().is_open()) return;  // the server said close
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(connection));
}

tl::expected<HttpAnswer, HttpFailure> HttpClient::call(std::string_view method, std::string_view target,
                                                       const HttpHeaders& headers, const std::string& body) {
  if (auto idle = take_idle()) {
    auto answer = exchange(*idle, false, method, target, headers, body);
    if (answer) {
      give_back(std::move(idle));
      return answer;
    }
    // A kept-alive connection the server closed meanwhile fails before any
    // answer arrives (the keep-alive race); every call here carries an
    // idempotency key, so sending it once more on a fresh connection is safe.
    if (answer.error().timed_out) return answer;
  }
  auto fresh = std::make_unique<Connection>();
  auto answer = exchange(*fresh, true, method, target, headers, body);
  if (answer) give_back(std::move(fresh));
  return answer;
}

tl::expected<HttpAnswer, HttpFailure> HttpClient::exchange(Connection& c, bool fresh, std::string_view method,
                                                           std::string_view target, const HttpHeaders& headers,
                                                           const std::string& body) {
  const auto deadline = std::chrono::steady_clock::now() + options_.total_timeout;
  const auto failed = [&c](bool maybe_sent, const boost::system::error_code& ec) {
    c.stream.close();
    return tl::unexpected(HttpFailure{maybe_sent, ec == beast::error::timeout, ec.message()});
  };
  if (fresh) {
    // Name lookup has no timeout of its own; gateways are configured by address
    // or by a name the local resolver answers at once.
    boost::system::error_code ec;
    tcp::resolver resolver(c.ioc);
    const auto endpoints = resolver.resolve(endpoint_.host, std::to_string(endpoint_.port), ec);
    if (ec) return failed(false, ec);
    c.stream.expires_after(std::min(options_.connect_timeout, options_.total_timeout));
    ec = c.run([&](boost::system::error_code& out) {
      c.stream.async_connect(endpoints, [&out](const boost::system::error_code& e, const tcp::endpoint&) { out = e; });
    });
    if (ec) return failed(false, ec);
  }

  http::request<http::string_body> request{http::string_to_verb(beast::string_view(method.data(), method.size())),
                                           endpoint_.base_path + std::string(target), 11};
  request.set(http::field::host, endpoint_.host + ":" + std::to_string(endpoint_.port));
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.keep_alive(true);
  request.prepare_payload();

  c.stream.expires_at(deadline);
  auto ec = c.run([&](boost::system::error_code& out) {
    http::async_write(c.stream, request, [&out](const boost::system::error_code& e, std::size_t) { out = e; });
  });
  if (ec) return failed(true, ec);

  http::response_parser<http::string_body> parser;
  parser.body_limit(options_.max_answer_bytes);
  c.buffer.clear();
  ec = c.run([&](boost::system::error_code& out) {
    http::async_read(c.stream, c.buffer, parser, [&out](const boost::system::error_code& e, std::size_t) { out = e; });
  });
  if (ec) return failed(true, ec);
  c.stream.expires_never();
  auto response = parser.release();
  HttpAnswer answer{static_cast<int>(response.result_int()), std::move(response.body())};
  if (!response.keep_alive()) c.stream.close();
  return answer;
}

}  // namespace concert::platform
