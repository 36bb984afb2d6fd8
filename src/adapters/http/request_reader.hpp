// One connection's incoming bytes -> complete requests, with no I/O of its own.
// It is Beast's request_parser as the server configures it (a new parser per
// message, body and header limits) plus the framing checks Beast leaves to us
// (Host, Transfer-Encoding, Expect, an ASCII target). The server's session feeds
// it what it reads; the property test and the fuzz target feed it arbitrary
// segmentations. A request is handed out only once its body is complete, and the
// bytes after it stay buffered as the start of the next request.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/http/message.hpp"

namespace concert::http {

struct ReadLimits {
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;
};

enum class ReadStatus {
  NeedMore,  // read more bytes (the request has begun when started())
  Continue,  // the client waits for "100 Continue" before it sends the body
  Ready,     // `request` is complete
  Refused,   // answer `refusal` and close: the framing of the stream is lost
};

struct ReadStep {
  ReadStatus status = ReadStatus::NeedMore;
  Request request;                  // Ready
  std::optional<Response> refusal;  // Refused (optional: most steps need no Response built)
  std::string method;               // Ready, or Refused once the request line was read ("" before)
  unsigned version = 11;            // 10 or 11
  bool keep_alive = false;
};

class RequestReader {
 public:
  explicit RequestReader(ReadLimits limits);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Room for the next read from the socket, then how much of it arrived.
  boost::asio::mutable_buffer prepare(std::size_t n);
  void commit(std::size_t n);
  void append(std::string_view bytes);  // prepare + copy + commit

  // Parses what is buffered. After Refused the reader is done with the stream.
  ReadStep next();

  bool started() const;          // some bytes of an unfinished request were received
  std::size_t buffered() const;  // received, not yet parsed

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace concert::http
