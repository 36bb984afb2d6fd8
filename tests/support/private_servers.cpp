#include "support/private_servers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace concert::testing {

unsigned short free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  return ok ? ntohs(a.sin_port) : 0;
}

bool accepts_connections(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

PrivateServer::PrivateServer(std::string dir, std::string name)
    : dir_(std::move(dir)), name_(std::move(name)), port_(free_loopback_port()) {
  std::filesystem::create_directories(dir_);
}

PrivateServer::~PrivateServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);  // a paused server cannot act on SIGTERM
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill9();
}

void PrivateServer::start() {
  const auto argv_strings = command();
  const std::string log = dir_ + "/" + name_ + ".out";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (const auto& a : argv_strings) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (std::freopen(log.c_str(), "a", stdout) && std::freopen(log.c_str(), "a", stderr)) {
      ::execvp(argv[0], argv.data());
    }
    ::_exit(127);
  }
  wait_ready();
}

void PrivateServer::wait_ready() const {
  for (int i = 0; i < 200 && !accepts_connections(port_); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!accepts_connections(port_)) throw std::runtime_error(name_ + " did not start; see " + dir_);
}

void PrivateServer::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void PrivateServer::pause() { ::kill(pid_, SIGSTOP); }
void PrivateServer::resume() { ::kill(pid_, SIGCONT); }

// --- Redis -------------------------------------------------------------------------------

PrivateRedis::PrivateRedis(const std::string& dir, std::string config_file)
    : PrivateServer(dir, "redis"), config_file_(std::move(config_file)) {
  start();
}

std::vector<std::string> PrivateRedis::command() const {
  std::vector<std::string> argv{"redis-server"};
  if (config_file_.empty()) {
    argv.insert(argv.end(), {"--save", "", "--appendonly", "no"});
  } else {
    argv.insert(argv.begin() + 1, config_file_);  // redis-server takes its file first
  }
  argv.insert(argv.end(), {"--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_});
  return argv;
}

std::string PrivateRedis::url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

// --- MariaDB -----------------------------------------------------------------------------

namespace {

std::string root_flag() { return ::geteuid() == 0 ? " --user=root" : ""; }

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

}  // namespace

PrivateMariaDb::PrivateMariaDb(const std::string& dir) : PrivateServer(dir, "mariadb") {
  run("mariadb-install-db --no-defaults --datadir=" + dir_ + "/data --auth-root-authentication-method=normal" +
      " --skip-test-db" + root_flag() + " >" + dir_ + "/install.log 2>&1");
  start();
  run("mariadb --no-defaults --socket=" + dir_ + "/mysql.sock -uroot -e \"" +
      "CREATE USER IF NOT EXISTS 'concertd'@'127.0.0.1' IDENTIFIED BY 'concertd'; " +
      "GRANT ALL PRIVILEGES ON *.* TO 'concertd'@'127.0.0.1'; CREATE DATABASE IF NOT EXISTS concertd;\"");
}

std::vector<std::string> PrivateMariaDb::command() const {
  std::vector<std::string> argv{"mariadbd",
                                "--no-defaults",
                                "--datadir=" + dir_ + "/data",
                                "--socket=" + dir_ + "/mysql.sock",
                                "--port=" + std::to_string(port_),
                                "--bind-address=127.0.0.1",
                                "--skip-name-resolve",
                                "--innodb-buffer-pool-size=64M",
                                "--transaction-isolation=REPEATABLE-READ"};
  if (::geteuid() == 0) argv.push_back("--user=root");
  return argv;
}

// Listening is not ready: crash recovery after a kill -9 comes first.
void PrivateMariaDb::wait_ready() const {
  PrivateServer::wait_ready();
  const std::string probe =
      "mariadb --no-defaults --socket=" + dir_ + "/mysql.sock -uroot -e 'SELECT 1' >/dev/null 2>&1";
  for (int i = 0; i < 200; ++i) {
    if (std::system(probe.c_str()) == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("mariadbd did not answer; see " + dir_);
}

std::string PrivateMariaDb::url() const {
  return "mysql://concertd:concertd@127.0.0.1:" + std::to_string(port_) + "/concertd";
}

}  // namespace concert::testing
