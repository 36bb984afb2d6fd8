#include "adapters/http/request_reader.hpp"

#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstring>
#include <optional>

#include "adapters/http/problem.hpp"

namespace concert::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

using Parser = bhttp::request_parser<bhttp::string_body>;

Response bad_request(const std::string& detail) { return problem(400, "bad-request", detail); }

// Parser errors become the answer the client deserves before we close.
Response parse_failure(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) return problem(413, "payload-too-large", "the request body is too large");
  if (ec == bhttp::error::header_limit) return problem(431, "headers-too-large", "the request headers are too large");
  return bad_request("malformed HTTP request: " + ec.message());
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view value_of(const bhttp::request_header<>& h, bhttp::field f) {
  const auto v = h[f];
  return {v.data(), v.size()};
}

std::size_t count(const bhttp::request_header<>& h, bhttp::field f) {
  const auto range = h.equal_range(f);
  return static_cast<std::size_t>(std::distance(range.first, range.second));
}

// The framing rules Beast leaves to the server (RFC 9112 §3.2, §6; RFC 9110 §10.1.1).
// Beast already refuses controls in the target, bad tokens, and conflicting or
// malformed Content-Length fields.
std::optional<Response> check_header(const bhttp::request_header<>& h) {
  for (const unsigned char c : h.target()) {
    if (c < 0x21 || c > 0x7e)
      return bad_request("the request target must be printable ASCII (percent-encode other bytes)");
  }
  if (h.version() >= 11 && count(h, bhttp::field::host) != 1) {
    return bad_request("an HTTP/1.1 request needs exactly one Host header");
  }
  if (const auto te = count(h, bhttp::field::transfer_encoding); te > 0) {
    // Only a single "chunked" is understood: any other coding, a repeated chunked,
    // or chunked beside Content-Length would let two parsers disagree on the framing.
    if (h.version() < 11) return bad_request("Transfer-Encoding is not allowed in HTTP/1.0");
    if (te > 1 || !iequals(trimmed(value_of(h, bhttp::field::transfer_encoding)), "chunked")) {
      return bad_request("the only Transfer-Encoding accepted is a single chunked");
    }
    if (count(h, bhttp::field::content_length) > 0) {
      return bad_request("Transfer-Encoding and Content-Length together are ambiguous");
    }
  }
  if (const auto expect = count(h, bhttp::field::expect); expect > 0) {
    if (expect > 1 || !iequals(trimmed(value_of(h, bhttp::field::expect)), "100-continue")) {
      return problem(417, "expectation-failed", "the only expectation supported is 100-continue");
    }
  }
  return std::nullopt;
}

Request from_beast(const bhttp::request<bhttp::string_body>& in) {
  Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  for (const auto& field : in) {
    auto& value = r.headers[std::string(field.name_string())];
    // A list a proxy may add a line of its own to (RFC 9110 §5.3): every line
    // counts, in order; for any other field the last line wins.
    if (!value.empty() && beast::iequals(field.name_string(), "X-Forwarded-For")) {
      value += ", " + std::string(field.value());
    } else {
      value = std::string(field.value());
    }
  }
  r.body = in.body();
  return r;
}

}  // namespace

struct RequestReader::Impl {
  ReadLimits limits;
  beast::flat_buffer buffer;
  std::optional<Parser> parser;  // the message being read; a new one per message
  bool header_checked = false;
  std::size_t header_bytes = 0;  // consumed by put() before the header was done
  bool continue_offered = false;

  // RFC 9112 §2.2: empty lines before a request line are ignored (some clients
  // send a CRLF after a body). False while nothing else has arrived: no bytes,
  // or a lone CR that waits for what follows it.
  bool skip_empty_lines() {
    for (;;) {
      const auto* bytes = static_cast<const char*>(buffer.data().data());
      const auto size = buffer.size();
      if (size >= 1 && bytes[0] == '\n') {
        buffer.consume(1);
      } else if (size >= 2 && bytes[0] == '\r' && bytes[1] == '\n') {
        buffer.consume(2);
      } else {
        return !(size == 0 || (size == 1 && bytes[0] == '\r'));
      }
    }
  }

  ReadStep refuse(Response refusal) {
    ReadStep step;
    step.status = ReadStatus::Refused;
    step.refusal = std::move(refusal);
    if (parser) step.method = std::string(parser->get().method_string());  // "" before the request line
    step.keep_alive = false;
    return step;
  }
};

RequestReader::RequestReader(ReadLimits limits) : impl_(std::make_unique<Impl>()) { impl_->limits = limits; }

RequestReader::~RequestReader() = default;

boost::asio::mutable_buffer RequestReader::prepare(std::size_t n) { return impl_->buffer.prepare(n); }

void RequestReader::commit(std::size_t n) { impl_->buffer.commit(n); }

void RequestReader::append(std::string_view bytes) {
  if (bytes.empty()) return;  // a null data() must not reach memcpy
  const auto space = prepare(bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

bool RequestReader::started() const { return impl_->parser.has_value() || impl_->buffer.size() > 0; }

std::size_t RequestReader::buffered() const { return impl_->buffer.size(); }

ReadStep RequestReader::next() {
  auto& s = *impl_;
  if (!s.parser) {
    if (!s.skip_empty_lines()) return {};
    s.parser.emplace();
    s.parser->body_limit(s.limits.body_limit);
    s.parser->header_limit(static_cast<std::uint32_t>(s.limits.header_limit));
    // Not eager until the header is done: the put() that ends the header stops
    // there, so its size is known (Beast 1.74 applies header_limit to the start
    // line and the fields separately when both arrive in one put()) and the
    // framing checks run before any of the body is parsed.
    s.parser->eager(false);
    s.header_checked = false;
    s.header_bytes = 0;
    s.continue_offered = false;
  }
  auto& parser = *s.parser;
  // put() stops after the header, at the end of the buffered body bytes, or at
  // the message's end: loop until the message is done or the bytes run out.
  while (!parser.is_done() && s.buffer.size() > 0) {
    beast::error_code ec;
    const auto used = parser.put(s.buffer.data(), ec);
    s.buffer.consume(used);
    if (ec && ec != bhttp::error::need_more) return s.refuse(parse_failure(ec));
    if (!s.header_checked) s.header_bytes += used;
    if (parser.is_header_done() && !s.header_checked) {
      s.header_checked = true;
      if (s.header_bytes > s.limits.header_limit) return s.refuse(parse_failure(bhttp::error::header_limit));
      if (auto refusal = check_header(parser.get().base())) return s.refuse(std::move(*refusal));
      // A request that arrived whole (the usual keep-alive poll) has its body
      // parsed in one more put(); see bench/results.
      parser.eager(true);
      continue;
    }
    if (ec == bhttp::error::need_more || used == 0) break;
  }
  if (parser.is_done()) {
    ReadStep step;
    step.status = ReadStatus::Ready;
    const auto& message = parser.get();
    step.method = std::string(message.method_string());
    step.version = message.version();
    step.keep_alive = message.keep_alive();
    step.request = from_beast(message);
    s.parser.reset();
    return step;
  }
  // HTTP/1.0 clients do not wait for it (RFC 9110 §10.1.1).
  if (s.header_checked && !s.continue_offered && parser.get().version() >= 11 &&
      parser.get().count(bhttp::field::expect) > 0) {
    s.continue_offered = true;  // once: the body may still arrive in many reads
    ReadStep step;
    step.status = ReadStatus::Continue;
    step.method = std::string(parser.get().method_string());
    step.version = parser.get().version();
    return step;
  }
  ReadStep step;  // NeedMore; the method tells a 408 what it cut off
  step.method = std::string(parser.get().method_string());
  return step;
}

}  // namespace concert::http
