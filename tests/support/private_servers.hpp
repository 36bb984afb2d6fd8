// A redis-server and a mariadbd of a test's own, on free loopback ports in the
// test's folder, so a test may kill -9, SIGSTOP and restart them (issue 13)
// without touching the servers every other suite shares. Stopped by pid.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace concert::testing {

unsigned short free_loopback_port();
bool accepts_connections(unsigned short port);

class PrivateServer {
 public:
  PrivateServer(const PrivateServer&) = delete;
  PrivateServer& operator=(const PrivateServer&) = delete;
  virtual ~PrivateServer();

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  void kill9();   // and reaped
  void pause();   // SIGSTOP: the process holds its sockets and answers nothing
  void resume();  // SIGCONT
  // Starts it again on the same port and data (after kill9); waits until it accepts.
  void restart() { start(); }

 protected:
  PrivateServer(std::string dir, std::string name);
  void start();
  virtual std::vector<std::string> command() const = 0;
  virtual void wait_ready() const;

  std::string dir_;
  std::string name_;
  unsigned short port_;
  pid_t pid_ = -1;
};

// Without persistence, as the test services start theirs; or with `config_file`
// (deploy/redis.conf), its port and folder the test's own.
class PrivateRedis final : public PrivateServer {
 public:
  explicit PrivateRedis(const std::string& dir, std::string config_file = "");
  std::string url() const;

 private:
  std::vector<std::string> command() const override;
  std::string config_file_;
};

// A fresh data folder (mariadb-install-db) with user concertd/concertd and
// database concertd, as scripts/test-services makes them.
class PrivateMariaDb final : public PrivateServer {
 public:
  explicit PrivateMariaDb(const std::string& dir);
  std::string url() const;

 private:
  std::vector<std::string> command() const override;
  void wait_ready() const override;
};

}  // namespace concert::testing
