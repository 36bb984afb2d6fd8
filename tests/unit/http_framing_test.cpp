// The transport's framing rules (issue 11), in-process: a request reaches the
// handler only once it is complete and framed unambiguously, and every answer
// the transport gives by itself reaches the TransportObserver (which the Api
// turns into an access-log line and a metric).
// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/raw_connection.hpp"
#include "support/server_harness.hpp"

namespace concert::http {
namespace {

using namespace std::chrono_literals;
using concert::testing::parse_reply;
using concert::testing::RawConn;
using concert::testing::ServerHarness;
using concert::testing::split_replies;

// Counts what reached the handler, echoes it, and records the transport's own answers.
struct Recorder {
  std::shared_ptr<std::atomic<int>> handled = std::make_shared<std::atomic<int>>(0);
  struct Seen {
    int status;
    std::string method;
  };
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<Seen>> transport = std::make_shared<std::vector<Seen>>();

  Handler handler() const {
    return [handled = handled](Request r) -> boost::asio::awaitable<Response> {
      ++*handled;
      Response res;
      res.content_type = "text/plain";
      res.body = r.method + " " + r.target + " [" + r.body + "]";
      co_return res;
    };
  }
  TransportObserver observer() const {
    return [m = mutex, t = transport](const TransportAnswer& answer, Response& response) {
      response.headers["X-Observed"] = "yes";
      std::lock_guard lock(*m);
      t->push_back({response.status, std::string(answer.method)});
    };
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(*mutex);
    return *transport;
  }
};

ServerOptions options() {
  ServerOptions o;
  o.body_limit = 1024;
  o.header_limit = 1024;
  o.read_timeout = 2s;  // far above any pause a test makes, even in a sanitizer build
  o.idle_timeout = 4s;
  return o;
}

// Sends `bytes` on a fresh connection and returns the replies until it closes.
std::vector<concert::testing::RawReply> exchange(unsigned short port, const std::string& bytes) {
  RawConn conn(port);
  conn.send(bytes);
  return split_replies(conn.read_until_close(5s).data);
}

void expect_refused(const concert::testing::RawReply& reply, int status, const std::string& code) {
  EXPECT_EQ(reply.status, status) << reply.head;
  EXPECT_TRUE(reply.has_header("Content-Type: application/problem+json")) << reply.head;
  EXPECT_TRUE(reply.has_header("Connection: close")) << reply.head;
  EXPECT_TRUE(reply.has_header("X-Observed: yes")) << reply.head;
  EXPECT_EQ(reply.json().value("code", ""), code);
}

TEST(HttpFraming, ABodyThatArrivesLaterIsWaitedFor) {
  Recorder r;
  ServerHarness s(options(), r.handler(), r.observer());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.send("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(r.handled->load(), 0);  // not dispatched on the header alone
  for (const char c : std::string("{\"a\":1234}")) {
    ASSERT_TRUE(conn.send(std::string(1, c)));
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(conn.send(" GET /next HTTP/1.1\r\nHost: h\r\n\r\n"));  // the 11th byte, then the next request
  const auto replies = split_replies(conn.read_responses(2, 2s).data);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].body, "POST /a [{\"a\":1234} ]");
  EXPECT_EQ(replies[1].body, "GET /next []");
}

TEST(HttpFraming, ARequestInsideABodyIsNeverParsedAsARequest) {
  Recorder r;
  ServerHarness s(options(), r.handler(), r.observer());
  const std::string inner = "POST /admin HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}";
  RawConn conn(s.port());
  ASSERT_TRUE(
      conn.send("POST /outer HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(inner.size()) + "\r\n\r\n"));
  std::this_thread::sleep_for(30ms);
  ASSERT_TRUE(conn.send(inner));
  const auto out = conn.read_responses(2, 500ms);
  const auto replies = split_replies(out.data);
  ASSERT_EQ(replies.size(), 1u) << out.data;
  EXPECT_EQ(replies[0].body, "POST /outer [" + inner + "]");
  EXPECT_EQ(r.handled->load(), 1);
}

TEST(HttpFraming, ATruncatedBodyIsNeverDispatchedAndGets408) {
  Recorder r;
  auto o = options();
  o.read_timeout = 300ms;
  ServerHarness s(o, r.handler(), r.observer());
  const auto replies = exchange(s.port(), "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n{\"a\":1}");
  ASSERT_EQ(replies.size(), 1u);
  expect_refused(replies[0], 408, "request-timeout");
  EXPECT_EQ(r.handled->load(), 0);
  ASSERT_EQ(r.seen().size(), 1u);
  EXPECT_EQ(r.seen()[0].status, 408);
  EXPECT_EQ(r.seen()[0].method, "POST");
}

TEST(HttpFraming, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  Recorder r;
  ServerHarness s(options(), r.handler(), r.observer());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.send("PUT /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  const auto interim = conn.read_response(1s);  // the client waits for it, sending nothing
  EXPECT_EQ(interim.data, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(conn.send("body"));
  const auto final_reply = parse_reply(conn.read_response(2s).data);
  EXPECT_EQ(final_reply.status, 200);
  EXPECT_EQ(final_reply.body, "PUT /a [body]");
}

TEST(HttpFraming, ABodyAlreadySentWithExpectContinueIsRead) {
  Recorder r;
  ServerHarness s(options(), r.handler(), r.observer());
  const auto replies = exchange(
      s.port(),
      "PUT /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].body, "PUT /a [ok]");
}

TEST(HttpFraming, RefusedFramingsGetTheirStatusAndReachOnlyTheObserver) {
  struct Case {
    std::string bytes;
    int status;
    std::string code;
    std::string method;  // as the observer sees it
  };
  const std::string body = "5\r\nhello\r\n0\r\n\r\n";
  const std::vector<Case> cases{
      {"GET / HTTP/1.1\r\n\r\n", 400, "bad-request", "GET"},  // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad-request", "GET"},
      {"GET /\xff HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad-request", "GET"},
      {"GET /api/v1/\xc3( HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad-request", "GET"},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n" + body, 400, "bad-request", "POST"},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" + body, 400, "bad-request", "POST"},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + body, 400,
       "bad-request", "POST"},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 17\r\n\r\n" + body, 400,
       "bad-request", "POST"},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + body, 400, "bad-request", "POST"},
      {"POST / HTTP/1.1\r\nHost: h\r\nExpect: a-pony\r\nContent-Length: 2\r\n\r\n{}", 417, "expectation-failed",
       "POST"},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n", 413, "payload-too-large", "POST"},
      {"GET / HTTP/1.1\r\nHost: h\r\nX-Pad: " + std::string(2000, 'p') + "\r\n\r\n", 431, "headers-too-large", "GET"},
      {"NOT HTTP AT ALL\r\n\r\n", 400, "bad-request", ""},
  };
  Recorder r;
  ServerHarness s(options(), r.handler(), r.observer());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.bytes.substr(0, 60));
    const auto before = r.seen().size();
    const auto replies = exchange(s.port(), c.bytes);
    ASSERT_EQ(replies.size(), 1u);
    expect_refused(replies[0], c.status, c.code);
    const auto seen = r.seen();
    ASSERT_EQ(seen.size(), before + 1);
    EXPECT_EQ(seen.back().status, c.status);
    EXPECT_EQ(seen.back().method, c.method);
  }
  EXPECT_EQ(r.handled->load(), 0);
}

TEST(HttpFraming, Http10WithoutHostAndAChunkedBodyWithinTheLimitAreServed) {
  Recorder r;
  ServerHarness s(options(), r.handler(), r.observer());
  auto replies = exchange(s.port(), "GET /old HTTP/1.0\r\n\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].body, "GET /old []");
  replies = exchange(s.port(),
                     "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                     "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].body, "POST /c [abcde]");
  for (const auto& seen : r.seen()) ADD_FAILURE() << "the transport answered " << seen.status << " to " << seen.method;
}

TEST(HttpFraming, EmptyLinesBetweenRequestsAreIgnoredAndDoNotStartTheReadDeadline) {
  Recorder r;
  auto o = options();
  o.read_timeout = 300ms;
  ServerHarness s(o, r.handler(), r.observer());
  RawConn conn(s.port());
  ASSERT_TRUE(conn.send("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok\r\n"));
  EXPECT_EQ(parse_reply(conn.read_response(2s).data).body, "POST /a [ok]");
  const auto quiet = conn.read_until_close(600ms);  // longer than read_timeout: still idle, no 408
  EXPECT_FALSE(quiet.closed);
  EXPECT_TRUE(quiet.data.empty()) << quiet.data;
  ASSERT_TRUE(conn.send("\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"));
  EXPECT_EQ(parse_reply(conn.read_response(2s).data).body, "GET /b []");
  EXPECT_TRUE(r.seen().empty());
}

TEST(HttpFraming, AConnectionOverTheLimitReachesTheObserver) {
  Recorder r;
  auto o = options();
  o.max_connections = 1;
  ServerHarness s(o, r.handler(), r.observer());
  RawConn first(s.port());
  ASSERT_TRUE(first.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_EQ(parse_reply(first.read_response(2s).data).status, 200);
  const auto replies = exchange(s.port(), "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(replies.size(), 1u);
  expect_refused(replies[0], 503, "unavailable");
  ASSERT_EQ(r.seen().size(), 1u);
  EXPECT_EQ(r.seen()[0].status, 503);
}

}  // namespace
}  // namespace concert::http
