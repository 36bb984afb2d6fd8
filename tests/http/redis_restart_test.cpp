// Two concertd instances (--profile local) on one MariaDB and a private Redis
// started without persistence, as the test services start theirs; Redis is
// killed with -9 and started again, empty, on the same port (issue 13, item 3).
// Without restarting concertd: the queue moves again, a waiting fan keeps its
// place (its signed ticket re-seats it ahead of fans who entered later), an
// admitted fan keeps its session, and fans who enter afterwards become ACTIVE.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "http_fixture.hpp"
#include "platform/crypto.hpp"
#include "support/app_fixture.hpp"
#include "support/backends.hpp"

namespace concert::testing {
namespace {

// A loopback port free right now (the kernel picks it).
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

bool accepts(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A redis-server of the test's own on one port, killed and started again by its pid.
class PrivateRedis {
 public:
  explicit PrivateRedis(std::string dir) : dir_(std::move(dir)), port_(free_loopback_port()) { start(); }
  ~PrivateRedis() { stop(SIGTERM); }
  PrivateRedis(const PrivateRedis&) = delete;
  PrivateRedis& operator=(const PrivateRedis&) = delete;

  void start() {
    pid_ = ::fork();
    if (pid_ == 0) {
      const auto port = std::to_string(port_);
      const auto log = dir_ + "/redis.log";
      ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", dir_.c_str(), "--logfile", log.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100 && !accepts(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  void kill9() { stop(SIGKILL); }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

 private:
  void stop(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string dir_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

class RedisRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    CONCERT_REQUIRE_BACKEND(AdapterKind::MariaDb);
    db = private_database(db_guard);
    redis = std::make_unique<PrivateRedis>(dir.path().string());
    ::setenv("CONCERTD_JWT_SECRET", kTestSecret, 1);
    ::setenv("CONCERTD_MYSQL_URL", mysql_url_of(db).c_str(), 1);
    ::setenv("CONCERTD_REDIS_URL", redis->url().c_str(), 1);
    // Admission is slow and bounded, so fans are still waiting when Redis dies.
    std::ofstream(dir.file("config.json"))
        << R"({"promotion_interval_ms": 20, "sweep_interval_ms": 100, "relay_interval_ms": 50,
               "queue_refresh_interval_ms": 50})";
    for (int i = 0; i < 2; ++i) {
      servers.push_back(std::make_unique<ServerProcess>(
          ServerProcess::start(concertd_binary(),
                               {"--profile", "local", "--listen", "127.0.0.1:0", "--data-dir",
                                dir.file("data" + std::to_string(i)), "--config", dir.file("config.json")},
                               dir.file("concertd" + std::to_string(i) + ".log"))));
    }
  }

  void TearDown() override {
    for (auto& s : servers) {
      if (s) {
        EXPECT_EQ(s->terminate(), 0) << s->log_tail();
      }
    }
    ::unsetenv("CONCERTD_MYSQL_URL");
    ::unsetenv("CONCERTD_REDIS_URL");
  }

  static HeaderList auth(const std::string& sub, std::optional<std::string> role = std::nullopt) {
    return {{"Authorization", "Bearer " + platform::mint_token(kTestSecret, sub, std::move(role), std::chrono::hours(1),
                                                               std::chrono::system_clock::now())}};
  }

  // A schedule on sale now admitting one fan at a time (max_active 1).
  std::int64_t create_schedule() {
    HttpClient admin("127.0.0.1", servers[0]->port());
    auto concert = admin.post("/api/v1/admin/concerts", R"({"title":"Restart Live"})", auth("ops", "admin"));
    EXPECT_EQ(concert.status, 201) << concert.body;
    const std::string body = R"({"startsAt":"2030-01-01T19:00:00Z","salesOpenAt":"2020-01-01T00:00:00Z",
      "salesCloseAt":"2030-01-01T00:00:00Z","sections":[{"name":"A","grade":"R","price":50000,"rows":1,"seatsPerRow":10}],
      "queue":{"admitPerSecond":10,"maxActive":1,"activeTtlSeconds":600}})";
    auto s =
        admin.post("/api/v1/admin/concerts/" + concert.json()["id"].dump() + "/schedules", body, auth("ops", "admin"));
    EXPECT_EQ(s.status, 201) << s.body;
    return s.json()["id"].get<std::int64_t>();
  }

  Reply poll(int instance, const std::string& user, const std::string& token) {
    HttpClient c("127.0.0.1", servers[static_cast<std::size_t>(instance)]->port());
    auto h = auth(user);
    h.emplace_back("Queue-Token", token);
    return c.get("/api/v1/queue/status", h);
  }

  std::string enter(int instance, const std::string& user, std::int64_t schedule) {
    HttpClient c("127.0.0.1", servers[static_cast<std::size_t>(instance)]->port());
    auto r = c.post("/api/v1/schedules/" + std::to_string(schedule) + "/queue", "", auth(user));
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;
    return r.status < 300 ? r.json().at("token").get<std::string>() : "";
  }

  // Polls (bounded) until the fan's status is `want`; false if it never is.
  bool becomes(int instance, const std::string& user, const std::string& token, const std::string& want,
               std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = poll(instance, user, token);
      if (r.status == 200 && r.json().value("status", "") == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  TempDir dir;
  std::shared_ptr<void> db_guard;
  adapters::mysql::ConnectionOptions db;
  std::unique_ptr<PrivateRedis> redis;
  std::vector<std::unique_ptr<ServerProcess>> servers;
};

TEST_F(RedisRestart, AfterAnEmptyRestartTheQueueMovesOnWithoutRestartingConcertd) {
  const auto schedule = create_schedule();
  const auto first = enter(0, "first", schedule);
  ASSERT_TRUE(becomes(0, "first", first, "ACTIVE", std::chrono::seconds(10)));  // max_active 1: the others wait
  const auto second = enter(1, "second", schedule);
  ASSERT_TRUE(becomes(1, "second", second, "WAITING", std::chrono::seconds(5)));
  ASSERT_TRUE(becomes(0, "second", second, "WAITING", std::chrono::seconds(5)));  // both snapshots know the queue

  redis->kill9();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  redis->start();  // empty: no persistence

  // The admitted fan keeps the session an instance saw; the waiting fan keeps its place.
  EXPECT_TRUE(becomes(0, "first", first, "ACTIVE", std::chrono::seconds(10))) << servers[0]->log_tail();
  EXPECT_TRUE(becomes(1, "second", second, "WAITING", std::chrono::seconds(10))) << servers[1]->log_tail();
  const auto later = enter(1, "later", schedule);
  ASSERT_FALSE(later.empty());
  auto later_status = poll(1, "later", later);
  ASSERT_EQ(later_status.status, 200) << later_status.body;
  auto second_status = poll(1, "second", second);
  ASSERT_EQ(second_status.status, 200) << second_status.body;
  EXPECT_LT(second_status.json().at("position").get<int>(), later_status.json().at("position").get<int>());

  // The queue moves: the first fan leaves, the second is admitted before the later one.
  {
    HttpClient c("127.0.0.1", servers[0]->port());
    auto h = auth("first");
    h.emplace_back("Queue-Token", first);
    EXPECT_EQ(c.request("DELETE", "/api/v1/queue", "", h).status, 204);
  }
  EXPECT_TRUE(becomes(1, "second", second, "ACTIVE", std::chrono::seconds(10))) << servers[1]->log_tail();
  EXPECT_EQ(poll(1, "later", later).json().value("status", ""), "WAITING");
  {
    HttpClient c("127.0.0.1", servers[1]->port());
    auto h = auth("second");
    h.emplace_back("Queue-Token", second);
    EXPECT_EQ(c.request("DELETE", "/api/v1/queue", "", h).status, 204);
  }
  // The later fan waits out the 10 s after the loss in which only earlier tickets are admitted.
  EXPECT_TRUE(becomes(0, "later", later, "ACTIVE", std::chrono::seconds(25))) << servers[0]->log_tail();
}

}  // namespace
}  // namespace concert::testing
