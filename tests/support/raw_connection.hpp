// A client on a plain socket, for tests that must control every byte and every
// pause on the wire (split requests, pipelining, slow and half-sent requests),
// and a reader of the one HTTP/1.1 response shape concertd sends.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace concert::testing {

struct RawReply {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  bool complete = false;
  std::size_t size = 0;  // bytes of data this reply took, once complete
  bool has_header(const std::string& line) const { return head.find("\r\n" + line + "\r\n") != std::string::npos; }
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

// Parses one HTTP/1.x response with Content-Length; `complete` once it all arrived.
RawReply parse_reply(const std::string& data);

class RawConn {
 public:
  explicit RawConn(unsigned short port);
  ~RawConn();
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool connected() const { return connected_; }

  // False once the peer is gone (EPIPE, ECONNRESET).
  bool send(const std::string& bytes);

  // Reads until the peer closes (EOF or reset) or `wait` elapses.
  struct Outcome {
    std::string data;
    bool closed = false;  // EOF or reset seen
    bool reset = false;
    std::chrono::steady_clock::duration elapsed{};
  };
  Outcome read_until_close(std::chrono::milliseconds wait) { return read(wait, 0); }
  // Reads until one complete response arrived, the peer closed, or `wait` elapsed.
  Outcome read_response(std::chrono::milliseconds wait) { return read(wait, 1); }
  // Reads until `n` complete responses arrived (pipelining), the peer closed, or `wait` elapsed.
  Outcome read_responses(std::size_t n, std::chrono::milliseconds wait) { return read(wait, n); }

 private:
  Outcome read(std::chrono::milliseconds wait, std::size_t responses);

  int fd_ = -1;
  bool connected_ = false;
};

// Splits `data` into the replies it holds, in order; an incomplete tail is dropped.
std::vector<RawReply> split_replies(const std::string& data);

}  // namespace concert::testing
