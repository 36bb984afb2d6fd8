#include "bench/http/host_pool.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace concert::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;

struct HostPool::Connection {
  explicit Connection(asio::io_context& ioc) : stream(ioc) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool busy = false;
  bool open = false;
};

namespace {

// A seat map of a 100,000-seat schedule is several megabytes.
constexpr std::uint64_t kBodyLimit = 64 * 1024 * 1024;

Failure failure_of(const beast::error_code& ec, bool stopped, const Request& r) {
  if (stopped) return Failure::Stopped;
  if (ec == beast::error::timeout) return r.timeout_is_run_end ? Failure::Stopped : Failure::Timeout;
  return Failure::Io;
}

// A keep-alive connection the server closed while it sat idle fails at once on
// reuse, before any answer: such a request is sent again on a fresh connection.
bool stale_connection(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::eof;
}

bhttp::request<bhttp::string_body> to_beast(const Request& r, const std::string& host, const std::string& user_agent) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(r.method), r.target, 11};
  req.set(bhttp::field::host, host);
  req.set(bhttp::field::user_agent, user_agent);
  req.keep_alive(true);
  if (!r.bearer.empty()) req.set(bhttp::field::authorization, "Bearer " + r.bearer);
  for (const auto& [name, value] : r.headers) req.set(name, value);
  if (!r.body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = r.body;
  }
  req.prepare_payload();
  return req;
}

std::chrono::seconds retry_after_of(const bhttp::response<bhttp::string_body>& res) {
  const auto it = res.find(bhttp::field::retry_after);
  if (it == res.end()) return std::chrono::seconds(0);
  int seconds = 0;
  const auto value = it->value();
  std::from_chars(value.data(), value.data() + value.size(), seconds);
  return std::chrono::seconds(seconds);
}

}  // namespace

std::optional<BaseUrl> parse_base_url(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  auto rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || rest.find('/') != std::string::npos) return std::nullopt;
  int port = 0;
  const auto digits = std::string_view(rest).substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535) return std::nullopt;
  return BaseUrl{rest.substr(0, colon), static_cast<unsigned short>(port)};
}

HostPool::HostPool(asio::io_context& ioc, const BaseUrl& url, int max_connections, StatsBook& stats,
                   std::string user_agent)
    : ioc_(ioc),
      host_header_(url.host + ":" + std::to_string(url.port)),
      user_agent_(std::move(user_agent)),
      max_connections_(static_cast<std::size_t>(std::max(1, max_connections))),
      stats_(stats) {
  asio::ip::tcp::resolver resolver(ioc);
  for (const auto& entry : resolver.resolve(url.host, std::to_string(url.port))) endpoints_.push_back(entry.endpoint());
}

HostPool::~HostPool() = default;

void HostPool::shut_down() {
  stopped_ = true;
  for (auto& c : connections_) {
    beast::error_code ignored;
    c->stream.socket().close(ignored);  // in-flight operations complete with operation_aborted
  }
  for (auto* w : waiters_) w->timer.cancel();
}

asio::awaitable<HostPool::Connection*> HostPool::acquire(Clock::time_point give_up_at) {
  Connection* spare = nullptr;
  for (auto& c : connections_) {
    if (c->busy) continue;
    if (c->open) {
      c->busy = true;
      co_return c.get();
    }
    if (!spare) spare = c.get();
  }
  if (!spare && connections_.size() < max_connections_) {
    connections_.push_back(std::make_unique<Connection>(ioc_));
    spare = connections_.back().get();
  }
  if (spare) {
    spare->busy = true;
    co_return spare;
  }
  // Every connection is busy: wait in line until release() hands one over.
  Waiter waiter{asio::steady_timer(ioc_, give_up_at)};
  waiters_.push_back(&waiter);
  beast::error_code ec;
  co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  waiters_.remove(&waiter);
  co_return waiter.handed;  // null when the wait timed out or the pool shut down
}

void HostPool::release(Connection* connection) {
  if (!waiters_.empty() && !stopped_) {
    auto* waiter = waiters_.front();
    waiters_.pop_front();
    waiter->handed = connection;  // stays busy: it changes hands
    waiter->timer.cancel();
    return;
  }
  connection->busy = false;
}

asio::awaitable<HostPool::Outcome> HostPool::exchange(Connection& c, const Request& r, Clock::time_point give_up_at) {
  Outcome out;
  auto& answer = out.answer;
  beast::error_code ec;
  c.stream.expires_at(give_up_at);
  if (!c.open) {
    c.stream.socket().close(ec);
    c.buffer.clear();
    for (const auto& endpoint : endpoints_) {
      co_await c.stream.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) break;
    }
    if (ec) {
      answer.failure =
          ec == beast::error::timeout ? failure_of(ec, stopped_, r) : (stopped_ ? Failure::Stopped : Failure::Connect);
      co_return out;
    }
    c.open = true;
  } else {
    out.reused = true;
  }
  auto req = to_beast(r, host_header_, user_agent_);
  co_await bhttp::async_write(c.stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    c.open = false;
    answer.failure = failure_of(ec, stopped_, r);
    out.stale = out.reused && stale_connection(ec);
    co_return out;
  }
  if (r.give_up_after_send) {
    c.open = false;  // the answer would arrive on this connection: it cannot be reused
    answer.failure = Failure::Timeout;
    co_return out;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kBodyLimit);
  co_await bhttp::async_read(c.stream, c.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    c.open = false;
    answer.failure = failure_of(ec, stopped_, r);
    // Nothing at all came back on a reused connection: the server had closed it.
    out.stale = out.reused && stale_connection(ec) && !parser.got_some();
    co_return out;
  }
  auto res = parser.release();
  if (!res.keep_alive()) c.open = false;
  answer.status = static_cast<int>(res.result_int());
  answer.retry_after = retry_after_of(res);
  if (const auto etag = res.find(bhttp::field::etag); etag != res.end()) answer.etag = std::string(etag->value());
  answer.body = std::move(res.body());
  co_return out;
}

asio::awaitable<Answer> HostPool::send(const Request& request) {
  const auto give_up_at = Clock::now() + request.timeout;
  Answer answer;
  if (stopped_) {
    answer.failure = Failure::Stopped;
    stats_.record(request.route, 0, answer.failure, {});
    co_return answer;
  }
  Connection* c = co_await acquire(give_up_at);
  if (!c) {
    answer.failure = stopped_ || request.timeout_is_run_end ? Failure::Stopped : Failure::Timeout;
    stats_.record(request.route, 0, answer.failure, {});
    co_return answer;
  }
  // Latency counts from here: the exchange with the server, not the wait for a
  // free connection (that is the client's own bottleneck, see --connections).
  const auto started = Clock::now();
  auto outcome = co_await exchange(*c, request, give_up_at);
  if (outcome.stale && !stopped_) outcome = co_await exchange(*c, request, give_up_at);  // once more, fresh
  answer = std::move(outcome.answer);
  if (!c->open) {
    beast::error_code ignored;
    c->stream.socket().close(ignored);
  }
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  release(c);
  stats_.record(request.route, answer.status, answer.failure, latency);
  co_return answer;
}

}  // namespace concert::bench
