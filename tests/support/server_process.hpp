// Runs a real concertd process for HTTP tests: started on 127.0.0.1:0, its port
// read from its "listening" log line, stopped by its pid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace concert::testing {

class ServerProcess {
 public:
  static ServerProcess start(const std::string& binary, std::vector<std::string> args, const std::string& log_path,
                             std::chrono::milliseconds wait = std::chrono::seconds(20));
  ServerProcess(ServerProcess&& other) noexcept;
  ServerProcess& operator=(ServerProcess&&) = delete;
  ~ServerProcess();

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM, wait up to 15 s, then SIGKILL; returns the exit code (128+signal if killed).
  int terminate();
  void kill9();
  // Waits for it to exit by itself: its exit code (128+signal if killed), or -1
  // if it still runs after `timeout`.
  int wait_exit(std::chrono::milliseconds timeout);
  std::string log_tail(std::size_t bytes = 4000) const;

 private:
  ServerProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string log_path_;
};

}  // namespace concert::testing
