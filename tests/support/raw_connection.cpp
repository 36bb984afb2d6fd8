#include "support/raw_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace concert::testing {

using Clock = std::chrono::steady_clock;

RawReply parse_reply(const std::string& data) {
  RawReply r;
  const auto end = data.find("\r\n\r\n");
  if (end == std::string::npos || data.compare(0, 7, "HTTP/1.") != 0) return r;  // 1.1, or 1.0 to a 1.0 client
  r.status = std::atoi(data.c_str() + 9);
  r.head = data.substr(0, end + 2);
  std::size_t length = 0;
  std::string lower = r.head;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto at = lower.find("\r\ncontent-length: "); at != std::string::npos) {
    length = static_cast<std::size_t>(std::atol(lower.c_str() + at + 18));
  }
  if (data.size() >= end + 4 + length) {
    r.body = data.substr(end + 4, length);
    r.complete = true;
    r.size = end + 4 + length;
  }
  return r;
}

std::vector<RawReply> split_replies(const std::string& data) {
  std::vector<RawReply> out;
  std::size_t at = 0;
  for (;;) {
    auto reply = parse_reply(data.substr(at));
    if (!reply.complete) break;
    at += reply.size;
    out.push_back(std::move(reply));
  }
  return out;
}

RawConn::RawConn(unsigned short port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

RawConn::~RawConn() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConn::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

RawConn::Outcome RawConn::read(std::chrono::milliseconds wait, std::size_t responses) {
  Outcome out;
  const auto start = Clock::now();
  const auto deadline = start + wait;
  char chunk[8192];
  for (;;) {
    if (responses > 0 && split_replies(out.data).size() >= responses) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      out.data.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    out.closed = true;
    out.reset = n < 0 && errno == ECONNRESET;
    break;
  }
  out.elapsed = Clock::now() - start;
  return out;
}

}  // namespace concert::testing
