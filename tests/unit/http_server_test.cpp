// The Beast transport (adapters/http/server.hpp) and the blocking pool, driven
// in-process: a server on 127.0.0.1:0 with its accept io_context run on a thread
// of the test (tests/support/server_harness.hpp), and clients on plain sockets.
// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/blocking_pool.hpp"
#include "adapters/http/server.hpp"
#include "support/http_client.hpp"
#include "support/raw_connection.hpp"
#include "support/server_harness.hpp"

namespace concert::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using concert::testing::HttpClient;
using concert::testing::parse_reply;
using concert::testing::RawConn;
using concert::testing::RawReply;
using concert::testing::ServerHarness;

// --- the server under test -----------------------------------------------------------------

ServerOptions small_options() {
  ServerOptions o;
  o.body_limit = 1024;
  o.header_limit = 1024;
  o.read_timeout = 2s;
  o.idle_timeout = 5s;
  o.write_timeout = 2s;
  o.shutdown_grace = 3s;
  return o;
}

// Echoes the request; /boom throws; /slow waits 300 ms on a timer first.
struct TestHandler {
  std::shared_ptr<std::atomic<int>> slow_started = std::make_shared<std::atomic<int>>(0);

  Handler handler() const {
    auto started = slow_started;
    return [started](Request r) -> net::awaitable<Response> {
      if (r.path() == "/boom") throw std::runtime_error("handler failed on purpose");
      if (r.path() == "/slow") {
        ++*started;
        auto executor = co_await net::this_coro::executor;
        net::steady_timer timer(executor);
        timer.expires_after(300ms);
        co_await timer.async_wait(net::use_awaitable);
      }
      Response res;
      res.content_type = "text/plain";
      res.headers["X-Method"] = r.method;
      res.body = r.method + " " + r.target + " [" + r.body + "]";
      co_return res;
    };
  }
};

std::string get_request(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"; }

void expect_problem(const RawReply& reply, int status, const std::string& code) {
  EXPECT_EQ(reply.status, status) << reply.head;
  EXPECT_TRUE(reply.has_header("Content-Type: application/problem+json")) << reply.head;
  ASSERT_TRUE(reply.complete);
  const auto body = reply.json();
  EXPECT_EQ(body.value("status", 0), status);
  EXPECT_EQ(body.value("code", ""), code);
  EXPECT_FALSE(body.value("detail", "").empty());
}

// --- requests ---------------------------------------------------------------------------

TEST(HttpServer, EchoesSeveralRequestsOnOneKeepAliveConnection) {
  TestHandler h;
  ServerHarness s(small_options(), h.handler());
  HttpClient client("127.0.0.1", s.port());

  auto a = client.get("/a?x=1");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "GET /a?x=1 []");
  EXPECT_EQ(a.header("X-Method"), "GET");
  EXPECT_EQ(a.header("Content-Type"), "text/plain");

  auto b = client.post("/b", R"({"k":"v"})");
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.body, R"(POST /b [{"k":"v"}])");

  auto c = client.request("PUT", "/c", "payload");
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.body, "PUT /c [payload]");
  EXPECT_EQ(s.server().open_connections(), 1u);  // the three went over one connection
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  TestHandler h;
  ServerHarness s(small_options(), h.handler());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send(get_request("/one") + get_request("/two")));
  std::string data;
  const auto deadline = Clock::now() + 3s;
  while (Clock::now() < deadline && data.find("GET /two") == std::string::npos) {
    auto part = conn.read_response(200ms);
    data += part.data;
    if (part.closed) break;
  }
  const auto first = data.find("GET /one []");
  const auto second = data.find("GET /two []");
  ASSERT_NE(first, std::string::npos) << data;
  ASSERT_NE(second, std::string::npos) << data;
  EXPECT_LT(first, second);
}

TEST(HttpServer, BodyOverTheLimitGets413Problem) {
  TestHandler h;
  ServerHarness s(small_options(), h.handler());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.connected());
  // Declared too large: refused from the headers alone.
  ASSERT_TRUE(
      conn.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"));
  const auto out = conn.read_until_close(3s);
  expect_problem(parse_reply(out.data), 413, "payload-too-large");
  EXPECT_TRUE(out.closed);
}

TEST(HttpServer, ChunkedBodyOverTheLimitGets413Problem) {
  TestHandler h;
  ServerHarness s(small_options(), h.handler());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.connected());
  std::string chunked = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "200\r\n" + std::string(0x200, 'a') + "\r\n";
  chunked += "0\r\n\r\n";  // 1536 bytes in all, over the 1024 limit
  ASSERT_TRUE(conn.send(chunked));
  const auto out = conn.read_until_close(3s);
  expect_problem(parse_reply(out.data), 413, "payload-too-large");
}

// A client that sends its whole (too large) body, as curl or a browser does,
// must still be able to read the 413: the server answers before reading the
// body, so it has to drain or linger before closing, or the unread bytes turn
// the close into a TCP reset that destroys the answer in flight.
TEST(HttpServer, BodyOverTheLimitSentInFullStillGets413) {
  TestHandler h;
  auto options = small_options();
  options.body_limit = 64 * 1024;
  ServerHarness s(options, h.handler());
  int lost = 0;
  for (int i = 0; i < 10; ++i) {
    RawConn conn(s.port());
    ASSERT_TRUE(conn.connected());
    const std::string body(1024 * 1024, 'x');
    conn.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    const auto out = conn.read_until_close(3s);
    const auto reply = parse_reply(out.data);
    if (reply.status != 413) ++lost;
  }
  EXPECT_EQ(lost, 0) << lost << " of 10 clients never saw the 413 (connection reset)";
}

TEST(HttpServer, OversizedHeaderGets431Problem) {
  TestHandler h;
  ServerHarness s(small_options(), h.handler());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send("GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n"));
  const auto out = conn.read_until_close(3s);
  expect_problem(parse_reply(out.data), 431, "headers-too-large");
  EXPECT_TRUE(out.closed);
}

TEST(HttpServer, GarbageGets400Problem) {
  TestHandler h;
  ServerHarness s(small_options(), h.handler());
  for (const auto& garbage : {std::string("\x01\x02\x03 nonsense\r\n\r\n"),
                              std::string("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n"),
                              std::string("GET / HTTP/9.9\r\n\r\n")}) {
    RawConn conn(s.port());
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send(garbage));
    const auto out = conn.read_until_close(3s);
    expect_problem(parse_reply(out.data), 400, "bad-request");
    EXPECT_TRUE(out.closed);
  }
  // The server is still up.
  HttpClient client("127.0.0.1", s.port());
  EXPECT_EQ(client.get("/after").status, 200);
}

// --- deadlines and limits ---------------------------------------------------------------------

TEST(HttpServer, SlowClientWithHalfARequestLineGets408AndIsDisconnectedAfterReadTimeout) {
  TestHandler h;
  auto options = small_options();
  options.read_timeout = 200ms;
  ServerHarness s(options, h.handler());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send("GET /sl"));
  const auto out = conn.read_until_close(3s);
  EXPECT_TRUE(out.closed);
  expect_problem(parse_reply(out.data), 408, "request-timeout");
  EXPECT_GE(out.elapsed, 150ms);
  EXPECT_LT(out.elapsed, 1500ms);
  EXPECT_TRUE(s.wait_connections(0));
  HttpClient client("127.0.0.1", s.port());
  EXPECT_EQ(client.get("/after").status, 200);
}

TEST(HttpServer, TricklingClientIsCutOffAtTheRequestDeadline) {
  TestHandler h;
  auto options = small_options();
  options.read_timeout = 200ms;
  ServerHarness s(options, h.handler());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.connected());
  const std::string request =
      "GET /trickle HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + std::string(100, 'p') + "\r\n\r\n";
  const auto start = Clock::now();
  bool cut_off = false;
  // One byte every 20 ms: each byte is progress, but the whole request never
  // arrives within read_timeout.
  for (std::size_t i = 0; i + 2 < request.size() && Clock::now() - start < 2s; ++i) {
    if (!conn.send(request.substr(i, 1))) {
      cut_off = true;
      break;
    }
    auto out = conn.read_until_close(20ms);
    if (out.closed) {
      cut_off = true;
      break;
    }
  }
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(cut_off);
  EXPECT_LT(elapsed, 1s);
}

TEST(HttpServer, ThirdConnectionOverMaxConnectionsGets503) {
  TestHandler h;
  auto options = small_options();
  options.max_connections = 2;
  ServerHarness s(options, h.handler());
  auto first = std::make_unique<HttpClient>("127.0.0.1", s.port());
  HttpClient second("127.0.0.1", s.port());
  ASSERT_EQ(first->get("/1").status, 200);
  ASSERT_EQ(second.get("/2").status, 200);
  ASSERT_TRUE(s.wait_connections(2));

  {
    RawConn third(s.port());
    ASSERT_TRUE(third.connected());
    third.send(get_request("/3"));
    const auto out = third.read_until_close(3s);
    const auto reply = parse_reply(out.data);
    expect_problem(reply, 503, "unavailable");
    EXPECT_TRUE(reply.has_header("Retry-After: 1")) << reply.head;
    EXPECT_TRUE(out.closed);
  }
  EXPECT_EQ(s.server().open_connections(), 2u);

  // Once a connection goes away there is room again.
  first.reset();
  ASSERT_TRUE(s.wait_connections(1));
  HttpClient fourth("127.0.0.1", s.port());
  EXPECT_EQ(fourth.get("/4").status, 200);
}

TEST(HttpServer, ThrowingHandlerGets500AndTheServerKeepsServing) {
  TestHandler h;
  ServerHarness s(small_options(), h.handler());
  HttpClient client("127.0.0.1", s.port());
  auto boom = client.get("/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.header("Content-Type"), "application/problem+json");
  auto problem = boom.json();
  EXPECT_EQ(problem["code"], "internal");
  EXPECT_EQ(problem["status"], 500);
  EXPECT_EQ(problem["detail"].get<std::string>().find("on purpose"), std::string::npos);  // no internals leak

  auto ok = client.get("/fine");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "GET /fine []");
  EXPECT_EQ(s.server().open_connections(), 1u);  // same connection, still alive
  HttpClient other("127.0.0.1", s.port());
  EXPECT_EQ(other.get("/boom").status, 500);
  EXPECT_EQ(other.get("/again").status, 200);
}

// --- graceful stop ---------------------------------------------------------------------------

TEST(HttpServer, StopLetsTheInFlightRequestFinishAndRunReturns) {
  TestHandler h;
  auto options = small_options();
  options.shutdown_grace = 5s;
  ServerHarness s(options, h.handler());
  const auto port = s.port();

  // An idle keep-alive connection must not hold the shutdown for the grace period.
  HttpClient idle("127.0.0.1", port);
  ASSERT_EQ(idle.get("/idle").status, 200);

  std::promise<concert::testing::Reply> slow_reply;
  auto slow_future = slow_reply.get_future();
  std::thread slow_client([&] {
    try {
      HttpClient client("127.0.0.1", port);
      slow_reply.set_value(client.get("/slow"));
    } catch (...) {
      slow_reply.set_exception(std::current_exception());
    }
  });
  const auto wait_start = Clock::now();
  while (h.slow_started->load() == 0 && Clock::now() - wait_start < 3s) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(h.slow_started->load(), 1);

  const auto stop_start = Clock::now();
  const bool clean = s.stop(4s);
  const auto stop_took = Clock::now() - stop_start;
  slow_client.join();

  EXPECT_TRUE(clean) << "io_context::run did not return after stop()";
  EXPECT_GE(stop_took, 200ms);  // it waited for the handler's remaining ~300 ms
  EXPECT_LT(stop_took, 3s);     // and not for the idle connection or the grace period
  auto reply = slow_future.get();
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "GET /slow []");
  EXPECT_EQ(reply.header("Connection"), "close");

  RawConn late(port);
  EXPECT_FALSE(late.connected());  // no longer accepting
}

TEST(HttpServer, StopWithNothingInFlightReturnsPromptly) {
  TestHandler h;
  ServerHarness s(small_options(), h.handler());
  HttpClient idle("127.0.0.1", s.port());
  ASSERT_EQ(idle.get("/x").status, 200);
  const auto start = Clock::now();
  EXPECT_TRUE(s.stop(3s));
  EXPECT_LT(Clock::now() - start, 1s);
}

// --- BlockingPool ---------------------------------------------------------------------------

TEST(BlockingPool, RunsWorkOnAPoolThreadAndResumesOnTheCaller) {
  net::io_context ioc;
  BlockingPool pool(2, 8);
  std::thread::id caller, worker, resumed;
  auto coroutine = [&]() -> net::awaitable<int> {
    caller = std::this_thread::get_id();
    auto work = [&worker] {
      worker = std::this_thread::get_id();
      return 42;
    };
    const int value = co_await pool.run(work);
    resumed = std::this_thread::get_id();
    co_return value;
  };
  auto result = net::co_spawn(ioc, coroutine(), net::use_future);
  ioc.run();
  EXPECT_EQ(result.get(), 42);
  EXPECT_EQ(caller, std::this_thread::get_id());
  EXPECT_NE(worker, caller);
  EXPECT_EQ(resumed, caller);
}

TEST(BlockingPool, ExceptionsFromTheWorkReachTheCaller) {
  net::io_context ioc;
  BlockingPool pool(1, 1);
  auto failing = [&]() -> net::awaitable<int> {
    auto work = []() -> int { throw std::invalid_argument("bad work"); };
    co_return co_await pool.run(work);
  };
  auto succeeding = [&]() -> net::awaitable<int> {
    auto work = [] { return 7; };
    co_return co_await pool.run(work);
  };
  auto first = net::co_spawn(ioc, failing(), net::use_future);
  ioc.run();
  EXPECT_THROW(first.get(), std::invalid_argument);
  // The failed task gave its slot back.
  ioc.restart();
  auto second = net::co_spawn(ioc, succeeding(), net::use_future);
  ioc.run();
  EXPECT_EQ(second.get(), 7);
}

TEST(BlockingPool, ThrowsPoolSaturatedBeyondItsLimit) {
  net::io_context ioc;
  auto guard = net::make_work_guard(ioc);
  BlockingPool pool(1, 2);
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  std::atomic<int> ran{0};
  auto blocked = [&]() -> net::awaitable<int> {
    auto work = [opened, &ran] {
      opened.wait();
      ++ran;
      return 1;
    };
    co_return co_await pool.run(work);
  };
  // One io thread: the three start in order, so the first two hold both slots
  // (one running, one queued) when the third asks.
  auto a = net::co_spawn(ioc, blocked(), net::use_future);
  auto b = net::co_spawn(ioc, blocked(), net::use_future);
  auto c = net::co_spawn(ioc, blocked(), net::use_future);
  std::thread io([&ioc] { ioc.run(); });

  EXPECT_THROW(c.get(), PoolSaturated);
  EXPECT_EQ(a.wait_for(50ms), std::future_status::timeout);
  gate.set_value();
  EXPECT_EQ(a.get(), 1);
  EXPECT_EQ(b.get(), 1);
  EXPECT_EQ(ran.load(), 2);

  // Both slots are free again.
  auto d = net::co_spawn(ioc, blocked(), net::use_future);
  auto e = net::co_spawn(ioc, blocked(), net::use_future);
  EXPECT_EQ(d.get(), 1);
  EXPECT_EQ(e.get(), 1);
  guard.reset();
  io.join();
}

// The refusal comes when the queue timeout passes, not when a thread frees up
// (a stalled database may hold every thread much longer): its client is told
// at once, and the work never runs. Work that finds a thread in time runs.
TEST(BlockingPool, WorkStillQueuedIsRefusedTheMomentItsQueueTimeoutPassesAndNeverRuns) {
  net::io_context ioc;
  auto guard = net::make_work_guard(ioc);
  BlockingPool pool(1, 8, 100ms);
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  std::atomic<int> ran{0};
  auto task = [&](bool blocking) -> net::awaitable<int> {
    auto work = [opened, blocking, &ran] {
      if (blocking) opened.wait();
      ++ran;
      return 1;
    };
    co_return co_await pool.run(work);
  };
  auto stuck = net::co_spawn(ioc, task(true), net::use_future);
  auto queued = net::co_spawn(ioc, task(false), net::use_future);
  std::thread io([&ioc] { ioc.run(); });
  // The only thread is still stuck, yet the queued work has its answer.
  ASSERT_EQ(queued.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(stuck.wait_for(0ms), std::future_status::timeout);
  EXPECT_THROW(queued.get(), PoolSaturated);
  gate.set_value();
  EXPECT_EQ(stuck.get(), 1);
  // The refused work was left in the queue and skipped there: it never ran.
  auto after = net::co_spawn(ioc, task(false), net::use_future);
  EXPECT_EQ(after.get(), 1);
  EXPECT_EQ(ran.load(), 2);
  guard.reset();
  io.join();
}

// Work a thread has taken is never cut by the queue timeout: it runs to its
// end and its caller gets the result, however long that takes.
TEST(BlockingPool, WorkAThreadTookRunsToItsEndPastTheQueueTimeout) {
  net::io_context ioc;
  BlockingPool pool(1, 8, 50ms);
  auto coroutine = [&]() -> net::awaitable<int> {
    auto work = [] {
      std::this_thread::sleep_for(200ms);
      return 5;
    };
    co_return co_await pool.run(work);
  };
  auto slow = net::co_spawn(ioc, coroutine(), net::use_future);
  ioc.run();
  EXPECT_EQ(slow.get(), 5);
}

// A void task hands back its end (and its exception) the same way.
TEST(BlockingPool, VoidWorkReturnsAndThrowsToItsCaller) {
  net::io_context ioc;
  BlockingPool pool(1, 8);
  std::atomic<int> ran{0};
  auto ok = [&]() -> net::awaitable<void> {
    auto work = [&ran] { ++ran; };
    co_await pool.run(work);
  };
  auto failing = [&]() -> net::awaitable<void> {
    auto work = [] { throw std::runtime_error("void work failed"); };
    co_await pool.run(work);
  };
  auto a = net::co_spawn(ioc, ok(), net::use_future);
  auto b = net::co_spawn(ioc, failing(), net::use_future);
  ioc.run();
  EXPECT_NO_THROW(a.get());
  EXPECT_THROW(b.get(), std::runtime_error);
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace concert::http
