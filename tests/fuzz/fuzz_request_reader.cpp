// libFuzzer target: RequestReader (the server's Beast parser and framing checks)
// fed one stream twice, in the segments its first bytes choose and whole. TCP may
// split a stream anywhere, so the requests read must not depend on where.
//
// Input: kLengthBytes bytes of segment lengths ((byte % 64) + 1, used in turn),
// then the stream. A violated property traps:
//  - a Ready request's body is within the body limit;
//  - a refusal is a 4xx problem whose JSON "status" is its status;
//  - "100 Continue" is offered at most once per request, and only to HTTP/1.1;
//  - the requests read are the same however the stream was split, and if one
//    feed refused, the other refused too or is still inside a request. Which
//    refusal is sent may depend on the split, so it is not compared: once a start
//    line ran out mid-token Beast parses it again only after the header's blank
//    line (basic_parser's skip_), so "bAA$" then "$A?" waits, and may run into
//    the header limit (431), where "bAA$$A?" whole is a bad method at once; and an
//    eager put() that completes the header and fails in the body reports that
//    failure before RequestReader's framing checks run (reported to its owner).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/request_reader.hpp"

namespace {

using concert::http::Headers;
using concert::http::ReadLimits;
using concert::http::ReadStatus;
using concert::http::RequestReader;
using concert::http::Response;

// Small limits, so that inputs of a few KB reach both.
constexpr ReadLimits kLimits{4096, 1024};
constexpr std::size_t kLengthBytes = 4;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Read {
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
  unsigned version;
  bool keep_alive;

  bool operator==(const Read&) const = default;
};

void check_refusal(const Response& refusal) {
  check(refusal.status >= 400 && refusal.status < 500);
  const auto problem = nlohmann::json::parse(refusal.body, nullptr, /*allow_exceptions=*/false);
  check(problem.is_object() && problem.contains("status") && problem["status"] == refusal.status);
}

struct Feed {
  RequestReader reader{kLimits};
  std::vector<Read> requests;
  int continues = 0;  // offered for the request being read
  std::optional<Response> refusal;

  // Calls next() until the reader needs more bytes or refuses, as the server does.
  void drain() {
    for (;;) {
      auto step = reader.next();
      switch (step.status) {
        case ReadStatus::NeedMore:
          return;
        case ReadStatus::Continue:  // the client now sends its body: keep feeding
          check(++continues == 1 && step.version == 11);
          continue;
        case ReadStatus::Ready:
          check(step.request.body.size() <= kLimits.body_limit);
          requests.push_back({std::move(step.request.method), std::move(step.request.target),
                              std::move(step.request.headers), std::move(step.request.body), step.version,
                              step.keep_alive});
          continues = 0;
          continue;
        case ReadStatus::Refused:
          check_refusal(*step.refusal);
          refusal = std::move(step.refusal);
          return;
      }
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // An empty stream has nothing to read (and append() of nothing to a fresh reader
  // passes memcpy a null pointer: reported to request_reader's owner).
  if (size <= kLengthBytes) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + kLengthBytes, size - kLengthBytes);

  Feed split;
  std::size_t pos = 0;
  for (std::size_t turn = 0; pos < stream.size() && !split.refusal; ++turn) {
    const std::size_t length = data[turn % kLengthBytes] % 64 + 1;
    const auto segment = stream.substr(pos, length);
    pos += segment.size();
    split.reader.append(segment);
    split.drain();
  }

  Feed whole;
  whole.reader.append(stream);
  whole.drain();

  check(split.requests == whole.requests);
  if (split.refusal.has_value() != whole.refusal.has_value()) {
    check((split.refusal ? whole : split).reader.started());
  } else if (!split.refusal) {
    check(split.reader.started() == whole.reader.started());
  }
  return 0;
}
