// Issue 11 through the real server, on raw sockets: a request is dispatched
// only once its body is complete, however slowly or in however many pieces it
// comes (split, trickled, chunked, after 100 Continue, pipelined), and every
// framing that two parsers could read differently (a request inside a body, a
// truncated body, odd Transfer-Encodings, other expectations, no or two Hosts,
// odd bytes) gets the transport's answer and changes nothing. Each "nothing
// changed" check has a control beside it: the same request sent correctly does
// change the store, so the snapshot would have seen it.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "http_fixture.hpp"
#include "support/raw_connection.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

// How long a read may wait for answers that must come (or for the server to
// close). Only a failing test waits this long.
constexpr auto kWait = 5s;
// The pause between the pieces of a split request: long enough for the server
// to read the first piece on its own.
constexpr auto kPause = 50ms;

void pause_for(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

// A request head: the request line, then each field line, then the blank line.
std::string head_of(const std::string& request_line, const std::vector<std::string>& fields) {
  std::string out = request_line + "\r\n";
  for (const auto& f : fields) out += f + "\r\n";
  return out + "\r\n";
}

std::string content_length(const std::string& body) { return "Content-Length: " + std::to_string(body.size()); }

std::string concert_body(const std::string& title) { return nlohmann::json{{"title", title}}.dump(); }

// A valid concert body made `size` bytes long by JSON whitespace: it would
// create a concert if its size were allowed.
std::string padded_concert_body(const std::string& title, std::size_t size) {
  auto body = concert_body(title);
  body.insert(body.size() - 1, std::string(size - body.size(), ' '));
  return body;
}

std::string hold_body(std::int64_t seat) { return nlohmann::json{{"scheduleId", 1}, {"seatIds", {seat}}}.dump(); }

// `body` in chunked coding, in chunks of at most `size` bytes (the last one is "0\r\n\r\n").
std::vector<std::string> chunks_of(const std::string& body, std::size_t size) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < body.size(); at += size) {
    const auto piece = body.substr(at, size);
    std::ostringstream chunk;
    chunk << std::hex << piece.size() << "\r\n" << piece << "\r\n";
    out.push_back(chunk.str());
  }
  out.push_back("0\r\n\r\n");
  return out;
}

std::string joined(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p;
  return out;
}

// Writes `bytes` 1, 2, 3, 1, 2, 3... bytes at a time with a short pause, so the
// server sees them in many reads.
void trickle(RawConn& conn, const std::string& bytes) {
  std::size_t at = 0;
  for (std::size_t n = 1; at < bytes.size(); n = n % 3 + 1) {
    ASSERT_TRUE(conn.send(bytes.substr(at, n)));
    at += n;
    pause_for(2ms);
  }
}

// Every reply the server sends on `conn` until it closes the connection.
std::vector<RawReply> replies_until_close(RawConn& conn) {
  const auto out = conn.read_until_close(kWait);
  EXPECT_TRUE(out.closed) << "the server kept the connection open; it sent:\n" << out.data;
  return split_replies(out.data);
}

// Sends `bytes` on a fresh connection and returns every reply until the server closes.
std::vector<RawReply> exchange_until_close(unsigned short port, const std::string& bytes) {
  RawConn conn(port);
  EXPECT_TRUE(conn.connected());
  EXPECT_TRUE(conn.send(bytes));
  return replies_until_close(conn);
}

std::string statuses_of(const std::vector<RawReply>& replies) {
  std::string out;
  for (const auto& r : replies) out += std::to_string(r.status) + " ";
  return out;
}

// The one reply of an HTTP/1.0 exchange: the server answers in the client's
// version, and parse_reply reads only "HTTP/1.1".
RawReply http10_reply(std::string data) {
  EXPECT_EQ(data.compare(0, 9, "HTTP/1.0 "), 0) << data;
  if (data.compare(0, 9, "HTTP/1.0 ") == 0) data[7] = '1';
  return parse_reply(data);
}

void expect_problem(const RawReply& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.head << r.body;
  EXPECT_TRUE(r.has_header("Content-Type: application/problem+json")) << r.head;
  nlohmann::json j;
  ASSERT_NO_THROW(j = r.json()) << r.body;
  EXPECT_EQ(j["status"], status) << r.body;
  EXPECT_EQ(j["code"], code) << r.body;
}

// The answer to a request with odd bytes: a client error, as problem+json that
// parses, with a head of plain ASCII (nothing of the client's bytes echoed).
void expect_client_error_problem(const RawReply& r) {
  EXPECT_GE(r.status, 400) << r.head << r.body;
  EXPECT_LT(r.status, 500) << r.head << r.body;
  EXPECT_TRUE(r.has_header("Content-Type: application/problem+json")) << r.head;
  nlohmann::json j;
  ASSERT_NO_THROW(j = r.json()) << r.body;
  EXPECT_EQ(j["status"], r.status) << r.body;
  EXPECT_TRUE(j["code"].is_string()) << r.body;
  EXPECT_TRUE(std::all_of(r.head.begin(), r.head.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
      << r.head;
}

// What a request that must not take effect could change: the concerts (an
// admin write drops this instance's cached catalogue at once) and schedule 1's
// seat statuses.
struct StoreSnapshot {
  std::string concerts;  // GET /api/v1/concerts
  std::string seats;     // GET /api/v1/schedules/1/seats
  bool operator==(const StoreSnapshot&) const = default;

  bool lists_concert(const std::string& title) const {
    const auto all = nlohmann::json::parse(concerts);  // kept: a range-for over a temporary's member dangles
    for (const auto& c : all["items"]) {
      if (c["title"] == title) return true;
    }
    return false;
  }
  std::size_t seats_taken() const {
    const auto all = nlohmann::json::parse(seats)["seats"];
    return static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(), [](const auto& s) { return s["status"] != "AVAILABLE"; }));
  }
  std::string seat_status(std::int64_t seat) const {
    const auto all = nlohmann::json::parse(seats);
    for (const auto& s : all["seats"]) {
      if (s["id"] == seat) return s["status"];
    }
    return "missing";
  }
};

std::ostream& operator<<(std::ostream& os, const StoreSnapshot& s) {
  return os << "{concerts: " << s.concerts << ", seats taken: " << s.seats_taken() << "}";
}

// Lines of the server's JSON log that parse (each line must: a failure names it).
std::vector<nlohmann::json> log_lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    try {
      out.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      ADD_FAILURE() << "log line " << n << " is not JSON (" << e.what() << "): " << line;
    }
  }
  return out;
}

// The fixture's config with one key more.
std::string config_with(const std::string& base, const std::string& key, int value) {
  auto j = nlohmann::json::parse(base);
  j[key] = value;
  return j.dump();
}

class Framing : public HttpTest {
 protected:
  // One user's hold is sent again for every byte it can be split at: no per-user write limit.
  std::string config_json() const override {
    return config_with(HttpTest::config_json(), "limit_write_user_per_second", 0);
  }
  unsigned short port() const { return server->port(); }

  StoreSnapshot snapshot() {
    auto concerts = client->get("/api/v1/concerts");
    auto seats = client->get("/api/v1/schedules/1/seats");
    EXPECT_EQ(concerts.status, 200) << concerts.body;
    EXPECT_EQ(seats.status, 200) << seats.body;
    return {concerts.body, seats.body};
  }

  static std::string admin_auth() { return "Authorization: Bearer " + token_for("ops", "admin"); }
  static std::string user_auth(const std::string& user) { return "Authorization: Bearer " + token_for(user); }

  // The head of POST /api/v1/admin/concerts (with an admin token), plus `extra` fields.
  static std::string concert_head(const std::vector<std::string>& extra, const std::string& version = "HTTP/1.1",
                                  bool host = true) {
    std::vector<std::string> fields;
    if (host) fields.push_back("Host: localhost");
    fields.push_back(admin_auth());
    fields.push_back("Content-Type: application/json");
    fields.insert(fields.end(), extra.begin(), extra.end());
    return head_of("POST /api/v1/admin/concerts " + version, fields);
  }
  // A whole, correct request creating the concert `title`.
  static std::string create_concert(const std::string& title, const std::vector<std::string>& extra = {}) {
    const auto body = concert_body(title);
    std::vector<std::string> fields{content_length(body)};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return concert_head(fields) + body;
  }

  // The control of a "nothing changed" check: `request` (which ends its
  // connection) gets 201 and the snapshot shows the concert `title`.
  void expect_creates_concert(const std::string& request, const std::string& title) {
    const auto replies = exchange_until_close(port(), request);
    ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
    EXPECT_EQ(replies[0].status, 201) << replies[0].body;
    const auto after = snapshot();
    EXPECT_TRUE(after.lists_concert(title)) << after;
  }

  // The head of POST /api/v1/reservations as `user` with an ACTIVE queue token.
  static std::string hold_head(const std::string& user, const std::string& queue_token, const std::string& key,
                               const std::vector<std::string>& extra) {
    std::vector<std::string> fields{"Host: localhost", user_auth(user), "Content-Type: application/json",
                                    "Queue-Token: " + queue_token, "Idempotency-Key: " + key};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return head_of("POST /api/v1/reservations HTTP/1.1", fields);
  }

  // The value of concertd_http_requests_total{code="4xx",method="ANY",route="transport"}.
  double transport_4xx() {
    const auto metrics = client->get("/metrics");
    EXPECT_EQ(metrics.status, 200);
    std::istringstream in(metrics.body);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("concertd_http_requests_total{", 0) != 0) continue;
      if (line.find(R"(code="4xx")") == std::string::npos || line.find(R"(method="ANY")") == std::string::npos ||
          line.find(R"(route="transport")") == std::string::npos) {
        continue;
      }
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
    ADD_FAILURE() << "no transport 4xx counter in /metrics:\n" << metrics.body;
    return -1;
  }
};

// read_timeout short enough that a test can wait it out.
class FramingSlowClients : public Framing {
 protected:
  std::string config_json() const override { return config_with(Framing::config_json(), "read_timeout_ms", 500); }
};

// The smallest body limit the config accepts.
class FramingSmallBodies : public Framing {
 protected:
  std::string config_json() const override { return config_with(Framing::config_json(), "body_limit_bytes", 1024); }
};

// --- 1. Smuggling -----------------------------------------------------------

// An unauthenticated hold's header, a pause, then `bytes` as its body: the old
// server dispatched at the pause and read the body as the next request.
bool send_hold_with_late_body(RawConn& conn, const std::string& length_header, const std::string& bytes) {
  if (!conn.send(head_of("POST /api/v1/reservations HTTP/1.1",
                         {"Host: localhost", "Content-Type: application/json", length_header}))) {
    return false;
  }
  pause_for(kPause);
  return conn.send(bytes);
}

std::string closing_get() {
  return head_of("GET /api/v1/concerts/1 HTTP/1.1", {"Host: localhost", "Connection: close"});
}

// The outer request's Content-Length covers exactly a complete admin request:
// those bytes are the outer request's body, never a request of their own.
TEST_F(Framing, ARequestInsideABodyIsNeverDispatched) {
  const auto before = snapshot();
  const auto inner = create_concert("Smuggled");
  RawConn conn(port());
  ASSERT_TRUE(send_hold_with_late_body(conn, content_length(inner), inner));
  // A closing request after it: every answer the connection will ever give comes before its 200.
  ASSERT_TRUE(conn.send(closing_get()));
  const auto replies = replies_until_close(conn);
  ASSERT_EQ(replies.size(), 2u) << statuses_of(replies);
  expect_problem(replies[0], 401, "unauthenticated");  // the outer request, with its whole body
  EXPECT_EQ(replies[1].status, 200);
  EXPECT_EQ(snapshot(), before);

  // Control: the inner bytes sent as a request of their own do create the concert.
  expect_creates_concert(create_concert("Smuggled", {"Connection: close"}), "Smuggled");
}

// The outer Content-Length stops inside the admin request: what follows the
// outer body is the next request on the connection, and is answered as what it
// is from there, never as the admin request that began inside the body.
TEST_F(Framing, BytesAfterAShortContentLengthAreParsedAsTheNextRequest) {
  const auto before = snapshot();
  const auto inner = create_concert("Smuggled");
  const auto inner_head_size = inner.find("\r\n\r\n") + 4;
  struct Case {
    std::size_t outer_length;  // bytes of `inner` the outer request takes as its body
    int next_status;           // the answer to the rest
    std::string next_code;
    bool closes;  // the answer ends the connection
  };
  const std::vector<Case> cases{
      // "OST /api/v1/admin/concerts ...": a request, with a method that is not one of ours.
      {1, 405, "method-not-allowed", false},
      // "v1/admin/concerts HTTP/1.1 ...": '/' cannot be in a method.
      {10, 400, "bad-request", true},
      // The admin request's JSON body, then its last "}": refused at the first byte.
      {inner_head_size, 400, "bad-request", true},
      {inner.size() - 1, 400, "bad-request", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("outer Content-Length " + std::to_string(c.outer_length) +
                 ", the rest begins with: " + inner.substr(c.outer_length, 20));
    RawConn conn(port());
    ASSERT_TRUE(send_hold_with_late_body(conn, "Content-Length: " + std::to_string(c.outer_length), inner));
    // A connection the rest leaves open is closed by one more request, answered last.
    if (!c.closes) {
      ASSERT_TRUE(conn.send(closing_get()));
    }
    const auto replies = replies_until_close(conn);
    ASSERT_EQ(replies.size(), c.closes ? 2u : 3u) << statuses_of(replies);
    expect_problem(replies[0], 401, "unauthenticated");
    expect_problem(replies[1], c.next_status, c.next_code);
    if (!c.closes) {
      EXPECT_EQ(replies[2].status, 200);
    }
  }
  EXPECT_EQ(snapshot(), before);
  // Control: the admin request whole, on a connection of its own.
  expect_creates_concert(create_concert("Smuggled", {"Connection: close"}), "Smuggled");
}

// --- 2. Truncated bodies -------------------------------------------------------

TEST_F(FramingSlowClients, AConcertBodyShorterThanItsContentLengthGets408AndCreatesNothing) {
  const auto before = snapshot();
  const auto body = concert_body("Truncated");
  // The whole of what would be a valid request, but 100 bytes short of its length.
  const auto replies =
      exchange_until_close(port(), concert_head({"Content-Length: " + std::to_string(body.size() + 100)}) + body);
  // One answer, and only after read_timeout: an early dispatch would have answered 201 or 400 first.
  ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
  expect_problem(replies[0], 408, "request-timeout");
  EXPECT_EQ(snapshot(), before);

  // Control: the same body with its true length.
  expect_creates_concert(concert_head({content_length(body), "Connection: close"}) + body, "Truncated");
}

TEST_F(FramingSlowClients, AHoldBodyShorterThanItsContentLengthGets408AndHoldsNoSeat) {
  const auto token = admit("alice");
  const auto before = snapshot();
  const auto body = hold_body(7);
  const auto replies = exchange_until_close(
      port(), hold_head("alice", token, "short-1", {"Content-Length: " + std::to_string(body.size() + 100)}) + body);
  ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
  expect_problem(replies[0], 408, "request-timeout");
  EXPECT_EQ(snapshot(), before);

  // Control: the same request, same key (the cut-off one never reached the key), true length.
  const auto control = exchange_until_close(
      port(), hold_head("alice", token, "short-1", {content_length(body), "Connection: close"}) + body);
  ASSERT_EQ(control.size(), 1u) << statuses_of(control);
  EXPECT_EQ(control[0].status, 201) << control[0].body;
  EXPECT_EQ(snapshot().seat_status(7), "HELD");
}

// --- 3. Slow but complete requests --------------------------------------------------

TEST_F(Framing, AConcertBodyTrickledAfterAPauseCreatesTheConcert) {
  const auto body = concert_body("Trickled");
  RawConn conn(port());
  ASSERT_TRUE(conn.send(concert_head({content_length(body), "Connection: close"})));
  pause_for(kPause);
  trickle(conn, body);
  const auto replies = replies_until_close(conn);
  ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
  EXPECT_EQ(replies[0].status, 201) << replies[0].body;
  EXPECT_EQ(replies[0].json()["title"], "Trickled");  // the whole body reached the handler
  EXPECT_TRUE(snapshot().lists_concert("Trickled"));
}

TEST_F(Framing, AHoldBodyTrickledAfterAPauseHoldsTheSeat) {
  const auto token = admit("alice");
  const auto body = hold_body(9);
  RawConn conn(port());
  ASSERT_TRUE(conn.send(hold_head("alice", token, "trickled-1", {content_length(body), "Connection: close"})));
  pause_for(kPause);
  trickle(conn, body);
  const auto replies = replies_until_close(conn);
  ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
  EXPECT_EQ(replies[0].status, 201) << replies[0].body;
  EXPECT_EQ(snapshot().seat_status(9), "HELD");
}

// --- 4. Chunked bodies and Transfer-Encoding ---------------------------------------

TEST_F(Framing, AChunkedConcertBodyInPausedChunksCreatesTheConcert) {
  RawConn conn(port());
  ASSERT_TRUE(conn.send(concert_head({"Transfer-Encoding: chunked", "Connection: close"})));
  for (const auto& chunk : chunks_of(concert_body("Chunked"), 5)) {
    pause_for(10ms);
    ASSERT_TRUE(conn.send(chunk));
  }
  const auto replies = replies_until_close(conn);
  ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
  EXPECT_EQ(replies[0].status, 201) << replies[0].body;
  EXPECT_TRUE(snapshot().lists_concert("Chunked"));
}

TEST_F(FramingSmallBodies, AChunkedBodyOverTheLimitGets413AndCreatesNothing) {
  const auto before = snapshot();
  RawConn conn(port());
  ASSERT_TRUE(conn.send(concert_head({"Transfer-Encoding: chunked"})));
  auto chunks = chunks_of(padded_concert_body("Oversized", 1500), 500);  // the third chunk crosses 1024
  chunks.pop_back();  // the server refuses before the end: the terminator would only be unread bytes
  for (const auto& chunk : chunks) {
    pause_for(10ms);
    ASSERT_TRUE(conn.send(chunk));
  }
  const auto replies = replies_until_close(conn);
  ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
  expect_problem(replies[0], 413, "payload-too-large");
  EXPECT_EQ(snapshot(), before);

  // Control: the same padded body, under the limit.
  expect_creates_concert(concert_head({"Transfer-Encoding: chunked", "Connection: close"}) +
                             joined(chunks_of(padded_concert_body("Oversized", 900), 300)),
                         "Oversized");
}

TEST_F(Framing, AmbiguousTransferEncodingsGet400AndCreateNothing) {
  const auto before = snapshot();
  const auto chunked = joined(chunks_of(concert_body("Ambiguous"), 8));
  const std::vector<std::pair<std::string, std::string>> cases{
      {"chunked twice in one field", concert_head({"Transfer-Encoding: chunked, chunked"}) + chunked},
      {"chunked in two fields", concert_head({"Transfer-Encoding: chunked", "Transfer-Encoding: chunked"}) + chunked},
      {"gzip before chunked", concert_head({"Transfer-Encoding: gzip, chunked"}) + chunked},
      {"chunked with Content-Length", concert_head({"Transfer-Encoding: chunked", content_length(chunked)}) + chunked},
      {"Content-Length with chunked", concert_head({content_length(chunked), "Transfer-Encoding: chunked"}) + chunked},
      {"chunked in HTTP/1.0", concert_head({"Transfer-Encoding: chunked"}, "HTTP/1.0") + chunked},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    const auto replies = exchange_until_close(port(), bytes);
    ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
    expect_problem(replies[0], 400, "bad-request");
  }
  EXPECT_EQ(snapshot(), before);
  // Control: the same body, chunked once.
  expect_creates_concert(concert_head({"Transfer-Encoding: chunked", "Connection: close"}) + chunked, "Ambiguous");
}

// --- 5. Expect -------------------------------------------------------------------

TEST_F(Framing, Expect100ContinueIsAnsweredBeforeTheBodyWhichThenCreatesTheConcert) {
  const auto body = concert_body("Expected");
  RawConn conn(port());
  ASSERT_TRUE(conn.send(concert_head({content_length(body), "Expect: 100-continue", "Connection: close"})));
  // The client waits for it before sending the body: 2 s bounds "it never came".
  const auto interim = conn.read_response(2s);
  EXPECT_EQ(interim.data, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(conn.send(body));
  const auto replies = replies_until_close(conn);
  ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);  // no second 100 Continue either
  EXPECT_EQ(replies[0].status, 201) << replies[0].body;
  EXPECT_TRUE(snapshot().lists_concert("Expected"));
}

TEST_F(Framing, AnUnknownExpectationGets417AndCreatesNothing) {
  const auto before = snapshot();
  const auto body = concert_body("Expected");
  const auto replies =
      exchange_until_close(port(), concert_head({content_length(body), "Expect: something-else"}) + body);
  ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
  expect_problem(replies[0], 417, "expectation-failed");
  EXPECT_EQ(snapshot(), before);

  // Control: the same request without the expectation.
  expect_creates_concert(concert_head({content_length(body), "Connection: close"}) + body, "Expected");
}

// --- 6. Host -----------------------------------------------------------------------

TEST_F(Framing, AnHttp11RequestWithoutOneHostGets400AndCreatesNothing) {
  const auto before = snapshot();
  const auto body = concert_body("Hosted");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"GET without Host", "GET /api/v1/concerts HTTP/1.1\r\n\r\n"},
      {"POST without Host", concert_head({content_length(body)}, "HTTP/1.1", /*host=*/false) + body},
      {"POST with two Hosts", concert_head({content_length(body), "Host: example.org"}) + body},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    const auto replies = exchange_until_close(port(), bytes);
    ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
    expect_problem(replies[0], 400, "bad-request");
  }
  EXPECT_EQ(snapshot(), before);
  // Control: the same POST with its one Host.
  expect_creates_concert(concert_head({content_length(body), "Connection: close"}) + body, "Hosted");
}

// HTTP/1.0 has no Host requirement: the same requests are served.
TEST_F(Framing, AnHttp10RequestWithoutHostIsServed) {
  RawConn get(port());
  ASSERT_TRUE(get.send("GET /api/v1/concerts HTTP/1.0\r\n\r\n"));
  const auto listed = http10_reply(get.read_until_close(kWait).data);
  EXPECT_EQ(listed.status, 200) << listed.body;

  const auto body = concert_body("Hosted");
  RawConn post(port());
  ASSERT_TRUE(post.send(concert_head({content_length(body)}, "HTTP/1.0", /*host=*/false) + body));
  const auto created = http10_reply(post.read_until_close(kWait).data);
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(snapshot().lists_concert("Hosted"));
}

// --- 7. Odd bytes -------------------------------------------------------------------

// Invalid UTF-8 and bytes 0x80-0xff in targets, methods, field names and field
// values: every answer is a 4xx problem that parses, every log line stays JSON,
// each request has its access-log line, the transport's answers are counted,
// and nothing is held.
TEST_F(Framing, OddBytesGetClientErrorProblemsThatAreLoggedAndCounted) {
  const auto token = admit("mallory");
  const auto before = snapshot();
  const auto transport_before = transport_4xx();

  // Refused by the transport, before any route.
  const auto body = hold_body(3);
  const std::vector<std::string> transport_cases{
      "GET /\xff HTTP/1.1\r\nHost: localhost\r\n\r\n",
      "GET /api/v1/\xc3( HTTP/1.1\r\nHost: localhost\r\n\r\n",
      head_of("POST /api/v1/reservations/\xe2\x28\xa1 HTTP/1.1",
              {"Host: localhost", user_auth("mallory"), "Queue-Token: " + token, "Idempotency-Key: odd-path",
               content_length(body)}) +
          body,
      "G\xc3\xa9T /api/v1/concerts HTTP/1.1\r\nHost: localhost\r\n\r\n",
      "GET /api/v1/concerts HTTP/1.1\r\nHost: localhost\r\nX-\xff\xfe: 1\r\n\r\n",
  };
  for (const auto& bytes : transport_cases) {
    SCOPED_TRACE(bytes.substr(0, bytes.find("\r\n")));
    const auto replies = exchange_until_close(port(), bytes);
    ASSERT_EQ(replies.size(), 1u) << statuses_of(replies);
    expect_client_error_problem(replies[0]);
    EXPECT_EQ(replies[0].json()["code"], "bad-request");
  }

  // Served by the hold route, each refused for a reason of its own while it
  // carries odd bytes in the fields it reads or logs.
  const std::string odd = "\x80\xff\xc3(\xe2\x28\xa1";
  const std::string odd_traceparent =
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-" + odd;  // a later version
  const std::vector<std::string> logged{"X-Request-Id: " + odd, "traceparent: " + odd_traceparent};
  struct RouteCase {
    std::string bytes;
    int status;
    std::string code;
  };
  const std::vector<RouteCase> route_cases{
      {head_of("POST /api/v1/reservations HTTP/1.1",
               {"Host: localhost", "Authorization: Bearer " + odd, "Queue-Token: " + odd, "Idempotency-Key: " + odd,
                logged[0], logged[1], content_length(body)}) +
           body,
       401, "unauthenticated"},
      {hold_head("mallory", odd, "odd-token", {logged[0], "traceparent: " + odd, content_length(body)}) + body, 403,
       "token-not-active"},
      // A hold that would succeed but for its key: keys are visible ASCII.
      {hold_head("mallory", token, odd, {logged[0], logged[1], content_length(body)}) + body, 400, "invalid-input"},
  };
  for (const auto& c : route_cases) {
    SCOPED_TRACE(c.code);
    // A closing request after it, so the connection ends once it is answered.
    const auto replies = exchange_until_close(
        port(), c.bytes + head_of("GET /healthz HTTP/1.1", {"Host: localhost", "Connection: close"}));
    ASSERT_EQ(replies.size(), 2u) << statuses_of(replies);
    expect_client_error_problem(replies[0]);
    expect_problem(replies[0], c.status, c.code);
  }
  EXPECT_EQ(snapshot(), before);

  // Control: the last request with an ASCII key does hold the seat, the logged odd bytes and all.
  const auto control = exchange_until_close(
      port(),
      hold_head("mallory", token, "ascii-key", {logged[0], logged[1], content_length(body), "Connection: close"}) +
          body);
  ASSERT_EQ(control.size(), 1u) << statuses_of(control);
  EXPECT_EQ(control[0].status, 201) << control[0].body;
  EXPECT_EQ(snapshot().seat_status(3), "HELD");

  EXPECT_EQ(transport_4xx(), transport_before + static_cast<double>(transport_cases.size()));

  // Stop the server so that every line is flushed and none is half-written.
  ASSERT_EQ(server->terminate(), 0) << server->log_tail();
  server.reset();
  std::size_t transport_lines = 0, hold_lines = 0;
  for (const auto& line : log_lines(dir.file("concertd.log"))) {
    if (line.value("msg", "") != "request") continue;
    if (line["route"] == "transport") {
      ++transport_lines;
      EXPECT_EQ(line["status"], 400) << line.dump();
    }
    if (line["route"] == "/api/v1/reservations") ++hold_lines;
  }
  EXPECT_EQ(transport_lines, transport_cases.size());
  EXPECT_EQ(hold_lines, route_cases.size() + 1);  // and the control
}

// --- 8. Pipelining ------------------------------------------------------------------

// Two pipelined requests, split at every byte boundary, get the answers of the
// unsplit send. The first is a hold under one Idempotency-Key: the unsplit send
// holds the seat, and every later send gets that stored answer back only if the
// server read the same body (another body is 422 key-reused, a cut one 400).
TEST_F(Framing, APipelinedPairSplitAtEveryByteGetsTheAnswersOfTheWholeSend) {
  const auto token = admit("alice");
  const auto before = snapshot();
  const auto body = hold_body(1);
  const auto pair = hold_head("alice", token, "pipelined", {content_length(body)}) + body +
                    head_of("GET /api/v1/concerts/1 HTTP/1.1", {"Host: localhost"});

  RawConn whole(port());
  ASSERT_TRUE(whole.send(pair));
  const auto expected = split_replies(whole.read_responses(2, kWait).data);
  ASSERT_EQ(expected.size(), 2u) << statuses_of(expected);
  ASSERT_EQ(expected[0].status, 201) << expected[0].body;
  ASSERT_EQ(expected[1].status, 200) << expected[1].body;

  for (std::size_t cut = 1; cut < pair.size(); ++cut) {
    SCOPED_TRACE("split after byte " + std::to_string(cut) + ": ..." +
                 pair.substr(cut > 10 ? cut - 10 : 0, std::min<std::size_t>(cut, 10)) + "|" + pair.substr(cut, 10) +
                 "...");
    RawConn conn(port());
    ASSERT_TRUE(conn.send(pair.substr(0, cut)));
    pause_for(2ms);  // the server reads the first piece on its own
    ASSERT_TRUE(conn.send(pair.substr(cut)));
    const auto got = split_replies(conn.read_responses(2, kWait).data);
    ASSERT_EQ(got.size(), 2u) << statuses_of(got);
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(got[i].status, expected[i].status) << "answer " << i << ": " << got[i].body;
      EXPECT_EQ(got[i].body, expected[i].body) << "answer " << i;
    }
    EXPECT_TRUE(got[0].has_header("Idempotent-Replayed: true")) << got[0].head;
    if (HasFailure()) break;  // one boundary's failure says it; the others would repeat it
  }
  // The unsplit send's hold, and nothing else.
  const auto after = snapshot();
  EXPECT_EQ(after.seat_status(1), "HELD");
  EXPECT_EQ(after.seats_taken(), before.seats_taken() + 1);
}

}  // namespace
}  // namespace concert::testing
