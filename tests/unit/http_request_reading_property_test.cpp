// A property of the server's request reading (issue 11): however a client's
// bytes are cut into writes and spaced in time, the server answers exactly as
// it answers the same bytes sent in one write. Random keep-alive sequences of
// requests shaped like the product's routes (with and without bodies, by
// Content-Length or chunked, pipelined or one at a time) are sent once whole
// and once cut at random points with random pauses, to an in-process
// HttpServer whose handler echoes what it was given.
// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "support/raw_connection.hpp"
#include "support/server_harness.hpp"

namespace concert::http {
namespace {

using namespace std::chrono_literals;
using concert::testing::RawConn;
using concert::testing::ServerHarness;
using concert::testing::split_replies;

// Shapes of the product's routes: the transport must not care which it reads.
const std::vector<std::string>& target_shapes() {
  static const std::vector<std::string> shapes{"/api/v1/concerts",
                                               "/api/v1/concerts/{id}",
                                               "/api/v1/concerts/{id}/schedules",
                                               "/api/v1/schedules/{id}/seats",
                                               "/api/v1/schedules/{id}/queue",
                                               "/api/v1/queue/status",
                                               "/api/v1/reservations",
                                               "/api/v1/reservations/{id}",
                                               "/api/v1/payments",
                                               "/api/v1/payments/{id}/refund",
                                               "/api/v1/webhooks/pg",
                                               "/api/v1/admin/concerts",
                                               "/healthz",
                                               "/metrics?x=1"};
  return shapes;
}

struct GeneratedRequest {
  std::string wire;  // the bytes a client sends
};

std::string target_of(std::size_t shape, int id) {
  auto target = target_shapes()[shape % target_shapes().size()];
  if (auto at = target.find("{id}"); at != std::string::npos) target.replace(at, 4, std::to_string(id));
  return target;
}

// Cuts `body` into chunks of the given sizes (chunked transfer coding).
std::string chunked(const std::string& body, const std::vector<std::size_t>& sizes) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t i = 0; at < body.size(); ++i) {
    const auto n = std::min(body.size() - at, std::max<std::size_t>(1, sizes.empty() ? 7 : sizes[i % sizes.size()]));
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    out += size_line + body.substr(at, n) + "\r\n";
    at += n;
  }
  return out + "0\r\n\r\n";
}

// A container of `lo`..`hi - 1` elements of `element`.
template <typename Container, typename T>
rc::Gen<Container> sized(int lo, int hi, rc::Gen<T> element) {
  return rc::gen::mapcat(rc::gen::inRange(lo, hi), [element](int n) {
    return rc::gen::container<Container>(static_cast<std::size_t>(n), element);
  });
}

rc::Gen<GeneratedRequest> request_gen() {
  return rc::gen::apply(
      [](int method, std::size_t shape, int id, bool with_body, bool use_chunked, std::string body_text,
         std::vector<std::size_t> chunk_sizes, std::string key) {
        static const char* methods[] = {"GET", "POST", "PUT", "DELETE"};
        const std::string m = methods[method];
        std::string wire = m + " " + target_of(shape, id) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        wire += "Authorization: Bearer t." + std::to_string(id) + "\r\n";
        if (!key.empty()) wire += "Idempotency-Key: k-" + std::to_string(key.size()) + "\r\n";
        // A body that may itself look like a request: it must stay a body.
        const std::string body = "{\"v\":\"" + body_text + "\",\"inner\":\"GET /healthz HTTP/1.1\\r\\n\\r\\n\"}";
        if (with_body && use_chunked) {
          wire += "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, chunk_sizes);
        } else if (with_body) {
          wire +=
              "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        } else {
          wire += "\r\n";
        }
        return GeneratedRequest{wire};
      },
      rc::gen::inRange(0, 4), rc::gen::inRange<std::size_t>(0, 64), rc::gen::inRange(1, 100000),
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
      sized<std::string>(0, 200, rc::gen::elementOf(std::string("abcXYZ019 _-"))),
      sized<std::vector<std::size_t>>(0, 6, rc::gen::inRange<std::size_t>(1, 40)),
      sized<std::string>(0, 5, rc::gen::just('k')));
}

// The echo the handler gives: everything the server handed over, so a request
// parsed differently (other framing, a cut body) answers differently.
Handler echo() {
  return [](Request r) -> boost::asio::awaitable<Response> {
    Response res;
    res.content_type = "text/plain";
    res.body = r.method + " " + r.target + " key=" + r.header("Idempotency-Key").value_or("-") +
               " auth=" + r.header("Authorization").value_or("-") + " [" + r.body + "]";
    co_return res;
  };
}

struct Exchange {
  std::vector<std::string> answers;  // status line + body of each reply
  bool closed_early = false;
};

// Sends `wire` cut at `cuts` (sorted offsets), pausing `pauses[i]` ms after each
// piece, and reads `expected` replies.
Exchange send(unsigned short port, const std::string& wire, const std::vector<std::size_t>& cuts,
              const std::vector<int>& pauses, std::size_t expected) {
  RawConn conn(port);
  Exchange out;
  std::size_t at = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const auto end = i < cuts.size() ? cuts[i] : wire.size();
    if (end > at && !conn.send(wire.substr(at, end - at))) out.closed_early = true;
    at = std::max(at, end);
    if (i < pauses.size() && pauses[i] > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pauses[i]));
  }
  const auto got = conn.read_responses(expected, 5s);
  for (const auto& reply : split_replies(got.data)) {
    out.answers.push_back(std::to_string(reply.status) + " " + reply.body);
  }
  return out;
}

TEST(HttpRequestReadingProperty, SplitAndPausedRequestsAnswerAsTheyDoWhole) {
  ServerOptions options;
  options.body_limit = 8 * 1024;
  options.read_timeout = 5s;
  options.idle_timeout = 5s;
  ServerHarness server(options, echo());
  const auto port = server.port();

  const bool ok = rc::check("split requests are answered as whole ones", [port] {
    // A keep-alive sequence of 1-4 requests; pipelined means all are written
    // before any answer is read (they are: `send` reads at the end).
    const auto requests = *sized<std::vector<GeneratedRequest>>(1, 5, request_gen());
    std::string wire;
    for (const auto& r : requests) wire += r.wire;
    const auto cut_count = *rc::gen::inRange<std::size_t>(1, 12);
    auto cuts = *rc::gen::container<std::vector<std::size_t>>(cut_count, rc::gen::inRange<std::size_t>(1, wire.size()));
    std::sort(cuts.begin(), cuts.end());
    const auto pauses = *rc::gen::container<std::vector<int>>(cut_count, rc::gen::inRange(0, 4));

    const auto whole = send(port, wire, {}, {}, requests.size());
    const auto split = send(port, wire, cuts, pauses, requests.size());
    RC_ASSERT(whole.answers.size() == requests.size());
    RC_ASSERT(split.answers == whole.answers);
  });
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace concert::http
