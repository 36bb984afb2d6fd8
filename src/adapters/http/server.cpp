#include "adapters/http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <unordered_map>

#include "adapters/http/problem.hpp"
#include "adapters/http/request_reader.hpp"

namespace concert::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

namespace {

// The body is a view of r's payload: r must outlive the write.
bhttp::response<bhttp::span_body<const char>> to_beast(const Response& r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::span_body<const char>> out{static_cast<bhttp::status>(r.status), version};
  if (!r.content_type.empty()) out.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) out.set(name, value);
  out.keep_alive(keep_alive);
  out.body() = {r.payload().data(), r.payload().size()};
  out.prepare_payload();
  return out;
}

// Reads some bytes, or gives up at `deadline` with beast::error::timeout while
// the socket stays open, so the session can still answer 408 (Beast's
// tcp_stream closes the socket on its timeout). The timer's handler outlives
// this frame when it fires as the read completes: it holds the socket only
// through `watch`, which is disarmed before the frame returns.
awaitable<std::size_t> read_some_until(tcp::socket& socket, net::mutable_buffer space,
                                       std::chrono::steady_clock::time_point deadline, beast::error_code& ec) {
  struct Watch {
    tcp::socket* socket;
    bool fired = false;
  };
  auto watch = std::make_shared<Watch>(Watch{&socket});
  net::steady_timer timer(socket.get_executor());
  timer.expires_at(deadline);
  timer.async_wait([watch](const beast::error_code& e) {
    if (e || !watch->socket) return;
    watch->fired = true;
    beast::error_code ignored;
    watch->socket->cancel(ignored);
  });
  const auto n = co_await socket.async_read_some(space, net::redirect_error(use_awaitable, ec));
  watch->socket = nullptr;
  timer.cancel();
  if (watch->fired && ec == net::error::operation_aborted) ec = beast::error::timeout;
  co_return n;
}

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<State> {
  struct Connection {
    net::any_io_executor executor;
    beast::tcp_stream* stream;
    // In the session's frame, like the stream: the session leaves the map before
    // they go. An atomic, so a request marks itself busy without the mutex.
    const std::atomic<bool>* busy;
  };

  State(net::io_context& io, ServerOptions o, Handler h, TransportObserver obs)
      : ioc(io), options(std::move(o)), handler(std::move(h)), observer(std::move(obs)), acceptor(io) {}

  net::io_context& ioc;  // accepts and drains
  // Where connections live, handed out in turn (HttpServer owns them).
  std::vector<net::io_context*> connection_contexts;
  std::size_t next_context = 0;  // used by the accept loop only
  ServerOptions options;
  Handler handler;
  TransportObserver observer;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connection_count{0};

  std::mutex mutex;
  std::uint64_t next_id = 0;
  std::map<std::uint64_t, Connection> connections;
  std::unordered_map<std::string, int> per_address;  // open connections of capped addresses

  // Counts a new connection of `unit` against its address' cap; false: over it.
  bool admit_address(const std::string& unit) {
    std::lock_guard lock(mutex);
    auto& open = per_address[unit];
    if (open >= options.max_connections_per_address) return false;
    ++open;
    return true;
  }
  void release_address(const std::string& unit) {
    std::lock_guard lock(mutex);
    if (auto it = per_address.find(unit); it != per_address.end() && --it->second <= 0) per_address.erase(it);
  }
  // The unit a connection from `socket` counts against, or "" when uncapped.
  std::string capped_unit(const tcp::socket& socket) const {
    if (options.max_connections_per_address <= 0) return {};
    beast::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec || options.trusted_proxies.contains(remote.address())) return {};
    return platform::limit_unit(remote.address());
  }

  std::uint64_t track(net::any_io_executor ex, beast::tcp_stream* stream, const std::atomic<bool>* busy) {
    std::lock_guard lock(mutex);
    connections.emplace(++next_id, Connection{std::move(ex), stream, busy});
    return next_id;
  }
  void untrack(std::uint64_t id) {
    std::lock_guard lock(mutex);
    connections.erase(id);
  }
  // Closes connections (all, or only idle ones) on their own io_contexts.
  void close_connections(bool idle_only) {
    std::lock_guard lock(mutex);
    for (auto& [id, c] : connections) {
      if (idle_only && c.busy->load()) continue;
      net::post(c.executor, [self = shared_from_this(), id = id] {
        std::lock_guard inner(self->mutex);
        if (auto it = self->connections.find(id); it != self->connections.end()) {
          beast::error_code ignored;
          it->second.stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
          it->second.stream->socket().close(ignored);
        }
      });
    }
  }

  void observe(std::string_view method, std::string_view remote, std::chrono::steady_clock::time_point began,
               Response& answer) {
    if (observer) observer({method, remote, std::chrono::steady_clock::now() - began}, answer);
  }

  awaitable<void> accept_loop();
  awaitable<void> session(tcp::socket socket, std::string capped_unit);
  awaitable<void> refuse(tcp::socket socket, Response refusal);
  awaitable<void> drain();
};

awaitable<void> HttpServer::State::drain() {
  auto self = shared_from_this();
  const auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
  net::steady_timer tick(ioc);
  while (connection_count.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(20));
    co_await tick.async_wait(use_awaitable);
  }
  if (connection_count.load() > 0) close_connections(/*idle_only=*/false);
}

awaitable<void> HttpServer::State::accept_loop() {
  auto self = shared_from_this();
  while (!stopping) {
    // A connection stays on one single-threaded io_context: no strand needed.
    tcp::socket socket(*connection_contexts[next_context++ % connection_contexts.size()]);
    beast::error_code ec;
    co_await acceptor.async_accept(socket, net::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping || ec == net::error::operation_aborted) break;
      spdlog::warn("accept failed: {}", ec.message());  // e.g. out of file descriptors; keep serving
      continue;
    }
    auto ex = socket.get_executor();
    if (connection_count.load() >= static_cast<std::size_t>(options.max_connections)) {
      auto refusal = problem(503, "unavailable", "too many connections; retry shortly");
      refusal.headers["Retry-After"] = "1";
      net::co_spawn(ex, refuse(std::move(socket), std::move(refusal)), net::detached);
      continue;
    }
    auto unit = capped_unit(socket);
    if (!unit.empty() && !admit_address(unit)) {
      // SPEC §4: the per-address cap; the client's own doing, so 429, not 503.
      auto refusal = problem(429, "rate-limited", "too many open connections from this address; close some first");
      refusal.headers["Retry-After"] = "1";
      net::co_spawn(ex, refuse(std::move(socket), std::move(refusal)), net::detached);
      continue;
    }
    net::co_spawn(ex, session(std::move(socket), std::move(unit)), net::detached);
  }
}

awaitable<void> HttpServer::State::refuse(tcp::socket socket, Response refusal) {
  auto self = shared_from_this();
  beast::tcp_stream stream(std::move(socket));
  beast::error_code ec;
  const auto remote = stream.socket().remote_endpoint(ec);
  observe("", ec ? std::string() : remote.address().to_string(), std::chrono::steady_clock::now(), refusal);
  auto res = to_beast(refusal, 11, false);
  stream.expires_after(options.write_timeout);
  co_await bhttp::async_write(stream, res, net::redirect_error(use_awaitable, ec));
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<void> HttpServer::State::session(tcp::socket socket, std::string capped_unit) {
  auto self = shared_from_this();
  ++connection_count;
  beast::tcp_stream stream(std::move(socket));
  std::atomic<bool> busy{false};
  const auto id = track(stream.get_executor(), &stream, &busy);
  beast::error_code ec;
  const auto remote = stream.socket().remote_endpoint(ec);
  const std::string remote_text = ec ? std::string() : remote.address().to_string();
  RequestReader reader({options.body_limit, options.header_limit});
  static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

  while (!stopping) {
    // Wait for the first byte of the next request under the idle deadline (bytes
    // of a pipelined request may be buffered already), then give the whole
    // request read_timeout: a slow client cannot hold us forever.
    if (!reader.started()) {
      stream.expires_after(options.idle_timeout);
      const auto n = co_await stream.async_read_some(reader.prepare(4096), net::redirect_error(use_awaitable, ec));
      if (ec) break;  // closed, idle timeout, or shut down
      reader.commit(n);
    }
    stream.expires_never();
    const auto began = std::chrono::steady_clock::now();
    const auto deadline = began + options.read_timeout;
    // A request that arrived whole (the usual keep-alive poll) is ready at once;
    // only a partial one costs more reads, and a timer each.
    auto step = reader.next();
    // (NeedMore before a request started: only empty lines came; wait idle again.)
    while ((step.status == ReadStatus::NeedMore && reader.started()) || step.status == ReadStatus::Continue) {
      if (step.status == ReadStatus::Continue) {
        stream.expires_after(options.write_timeout);
        co_await net::async_write(stream, net::buffer(continue_line), net::redirect_error(use_awaitable, ec));
        stream.expires_never();
        if (ec) break;
      }
      const auto n = co_await read_some_until(stream.socket(), reader.prepare(4096), deadline, ec);
      if (ec) break;
      reader.commit(n);
      step = reader.next();
    }
    if (ec && ec != beast::error::timeout) break;  // the client left mid-request, or shutdown: nothing to answer
    if (!ec && step.status == ReadStatus::NeedMore) continue;

    busy = true;
    Response response;
    bool keep_alive = false;
    if (ec == beast::error::timeout) {
      response = problem(408, "request-timeout", "the request did not arrive within the read timeout");
      observe(step.method, remote_text, began, response);
    } else if (step.status == ReadStatus::Refused) {
      response = std::move(*step.refusal);
      observe(step.method, remote_text, began, response);
    } else {
      keep_alive = step.keep_alive;
      step.request.remote_address = remote_text;
      try {
        response = co_await handler(std::move(step.request));
      } catch (const std::exception& e) {
        // The Api answers its own errors; this is the last line for any other Handler.
        spdlog::error("unhandled error in a request: {}", e.what());
        response = problem(500, "internal", "an internal error occurred");
        observe(step.method, remote_text, began, response);
      }
    }
    if (response.close_without_answer) {
      busy = false;
      break;
    }
    keep_alive = keep_alive && !stopping && !(options.draining && options.draining->load());
    auto out = to_beast(response, step.version, keep_alive);
    stream.expires_after(options.write_timeout);
    co_await bhttp::async_write(stream, out, net::redirect_error(use_awaitable, ec));
    busy = false;
    if (ec || !keep_alive) break;
  }
  stream.expires_never();
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  untrack(id);
  if (!capped_unit.empty()) release_address(capped_unit);
  --connection_count;
}

HttpServer::HttpServer(net::io_context& ioc, ServerOptions options, Handler handler, TransportObserver observer)
    : state_(std::make_shared<State>(ioc, std::move(options), std::move(handler), std::move(observer))) {
  for (int i = 0; i < std::max(1, state_->options.io_threads); ++i) {
    connection_contexts_.push_back(std::make_unique<net::io_context>(1));
    state_->connection_contexts.push_back(connection_contexts_.back().get());
  }
  const tcp::endpoint endpoint(net::ip::make_address(state_->options.host), state_->options.port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
}

HttpServer::~HttpServer() {
  for (auto& context : connection_contexts_) context->stop();
  for (auto& thread : threads_) thread.join();
  // Destroying the contexts frees what still waits on them, and its hold on the state.
  connection_contexts_.clear();
}

unsigned short HttpServer::bound_port() const { return state_->acceptor.local_endpoint().port(); }

void HttpServer::start() {
  for (auto& context : connection_contexts_) {
    threads_.emplace_back([io = context.get(), guard = net::make_work_guard(*context)] { io->run(); });
  }
  net::co_spawn(state_->ioc, state_->accept_loop(), net::detached);
}

void HttpServer::stop() {
  auto state = state_;
  net::post(state->ioc, [state] {
    if (state->stopping.exchange(true)) return;
    beast::error_code ignored;
    state->acceptor.close(ignored);
    state->close_connections(/*idle_only=*/true);
    // Wait for in-flight requests; whatever still runs after the grace period is cut off.
    net::co_spawn(state->ioc, state->drain(), net::detached);
  });
}

std::size_t HttpServer::open_connections() const { return state_->connection_count.load(); }

}  // namespace concert::http
