#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace concert::testing {

ServerProcess ServerProcess::start(const std::string& binary, std::vector<std::string> args,
                                   const std::string& log_path, std::chrono::milliseconds wait) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ServerProcess p(pid, log_path);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(log_path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("\"listening\"") == std::string::npos) continue;
      const auto at = line.find("127.0.0.1:");
      if (at != std::string::npos) {
        p.port_ = static_cast<unsigned short>(std::stoi(line.substr(at + 10)));
        return p;
      }
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      p.pid_ = -1;
      throw std::runtime_error("concertd exited during start-up:\n" + p.log_tail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto tail = p.log_tail();
  p.kill9();
  throw std::runtime_error("concertd did not report listening in time:\n" + tail);
}

ServerProcess::ServerProcess(ServerProcess&& other) noexcept
    : pid_(other.pid_), port_(other.port_), log_path_(std::move(other.log_path_)) {
  other.pid_ = -1;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) terminate();
}

int ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int ServerProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int code = wait_exit(std::chrono::seconds(15));
  if (code >= 0) return code;
  kill9();
  return 128 + SIGKILL;
}

void ServerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(log_path_);
  std::stringstream buf;
  buf << in.rdbuf();
  auto s = buf.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

}  // namespace concert::testing
