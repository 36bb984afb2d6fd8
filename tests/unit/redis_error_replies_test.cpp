// What RedisClient makes of error replies, against a stand-in Redis on
// 127.0.0.1:0 that answers every command with one fixed error: a Redis that is
// up but cannot serve (LOADING after a restart, OOM, READONLY, ...) is the same
// RedisUnavailable (503) as a lost connection, and costs the pool nothing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "adapters/redis/redis_client.hpp"

namespace concert::adapters::redis {
namespace {

// Answers each read of each connection with `reply` (hiredis sends one command
// and waits for its answer, so a read is a command).
class ErroringRedis {
 public:
  explicit ErroringRedis(std::string reply) : reply_(std::move(reply)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ErroringRedis() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (auto& t : connections_) t.join();
  }
  int port() const { return port_; }
  int connections() const { return accepted_.load(); }

 private:
  void accept_loop() {
    while (!stopping_) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      connections_.emplace_back([this, fd] {
        char buffer[4096];
        while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
          if (::send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL) < 0) break;
        }
        ::close(fd);
      });
    }
  }

  std::string reply_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> connections_;
};

RedisOptions options_for(int port, int db = 0) {
  RedisOptions o;
  o.endpoint = {"127.0.0.1", port, db};
  o.pool_size = 2;
  o.acquire_timeout = std::chrono::milliseconds(200);
  return o;
}

TEST(RedisErrorReplies, ARedisThatCannotServeNowIsUnavailable) {
  for (const std::string error :
       {"LOADING Redis is loading the dataset in memory", "OOM command not allowed when used memory > 'maxmemory'.",
        "READONLY You can't write against a read only replica.",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        "BUSY Redis is busy running a script.", "MISCONF Errors writing to disk"}) {
    SCOPED_TRACE(error);
    ErroringRedis server("-" + error + "\r\n");
    RedisClient client(options_for(server.port()));
    EXPECT_THROW(client.command({"GET", "k"}), RedisUnavailable);
    EXPECT_THROW(client.eval({"script", "return 1"}, {"k"}, {}), RedisUnavailable);
  }
}

TEST(RedisErrorReplies, OtherErrorRepliesStayErrorsOfTheCommand) {
  for (const std::string error : {"ERR unknown command", "QUEUE_FULL", "BUSYKEY Target key name already exists.",
                                  "WRONGTYPE Operation against a key holding the wrong kind of value"}) {
    SCOPED_TRACE(error);
    ErroringRedis server("-" + error + "\r\n");
    RedisClient client(options_for(server.port()));
    try {
      client.command({"GET", "k"});
      ADD_FAILURE() << "no error";
    } catch (const RedisUnavailable& e) {
      ADD_FAILURE() << "taken for an outage: " << e.what();
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), error);
    }
  }
}

// A connection whose SELECT failed is dropped and frees its place: the pool
// never fills with connections that were never given back.
TEST(RedisErrorReplies, ASelectRefusedWhileLoadingDoesNotLeakThePool) {
  ErroringRedis server("-LOADING Redis is loading the dataset in memory\r\n");
  RedisClient client(options_for(server.port(), /*db=*/3));
  for (int i = 0; i < 5; ++i) {  // more than the pool's 2
    try {
      client.command({"GET", "k"});
      ADD_FAILURE() << "no error";
    } catch (const RedisUnavailable& e) {
      EXPECT_NE(std::string(e.what()).find("LOADING"), std::string::npos) << e.what();  // not "all busy"
    }
  }
  EXPECT_EQ(server.connections(), 5);
}

}  // namespace
}  // namespace concert::adapters::redis
