// Two concertd instances (--profile local) on one MariaDB and a private Redis
// started without persistence, as the test services start theirs; Redis is
// killed with -9 and started again, empty, on the same port (issue 13, item 3).
// Without restarting concertd: the queue moves again, a waiting fan keeps its
// place (its signed ticket re-seats it ahead of fans who entered later), an
// admitted fan keeps its session, and fans who enter afterwards become ACTIVE.
#include <fstream>
#include <functional>
#include <thread>

#include "http_fixture.hpp"
#include "local_sale.hpp"
#include "platform/crypto.hpp"
#include "support/app_fixture.hpp"
#include "support/backends.hpp"
#include "support/private_servers.hpp"

namespace concert::testing {
namespace {

class RedisRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    CONCERT_REQUIRE_BACKEND(AdapterKind::MariaDb);
    db = private_database(db_guard);
    redis = std::make_unique<PrivateRedis>(dir.file("redis"));
    ::setenv("CONCERTD_JWT_SECRET", kTestSecret, 1);
    ::setenv("CONCERTD_MYSQL_URL", mysql_url_of(db).c_str(), 1);
    ::setenv("CONCERTD_REDIS_URL", redis->url().c_str(), 1);
    // Admission is slow and bounded, so fans are still waiting when Redis dies.
    std::ofstream(dir.file("config.json"))
        << R"({"promotion_interval_ms": 20, "sweep_interval_ms": 100, "relay_interval_ms": 50,
               "queue_refresh_interval_ms": 50})";
    servers = start_local_instances(2, dir);
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

  static HeaderList auth(const std::string& sub) { return bearer(sub); }

  // A schedule on sale now admitting one fan at a time (max_active 1).
  std::int64_t create_schedule() {
    return create_schedule_on_sale(servers[0]->port(), "Restart Live", 1, 10,
                                   R"({"admitPerSecond":10,"maxActive":1,"activeTtlSeconds":600})");
  }

  Reply poll(int instance, const std::string& user, const std::string& token) {
    HttpClient c("127.0.0.1", servers[static_cast<std::size_t>(instance)]->port());
    auto h = auth(user);
    h.emplace_back("Queue-Token", token);
    return c.get("/api/v1/queue/status", h);
  }

  // Sends as a fan's client does: a 503 (Redis just came back, and each
  // instance's outage gate lets calls through again at its next probe) is tried
  // again after a pause, for up to 10 s: within the 5 s in which an instance
  // must have recovered, with room for a loaded machine.
  static Reply served(const std::function<Reply()>& send) {
    return until_served(send, 20, std::chrono::milliseconds(500));
  }

  int leave(int instance, const std::string& user, const std::string& token) {
    HttpClient c("127.0.0.1", servers[static_cast<std::size_t>(instance)]->port());
    auto h = auth(user);
    h.emplace_back("Queue-Token", token);
    return served([&] { return c.request("DELETE", "/api/v1/queue", "", h); }).status;
  }

  std::string enter(int instance, const std::string& user, std::int64_t schedule) {
    HttpClient c("127.0.0.1", servers[static_cast<std::size_t>(instance)]->port());
    const auto r =
        served([&] { return c.post("/api/v1/schedules/" + std::to_string(schedule) + "/queue", "", auth(user)); });
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body << "\n"
                                                    << servers[static_cast<std::size_t>(instance)]->log_tail();
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
  redis->restart();  // empty: no persistence

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
  EXPECT_EQ(leave(0, "first", first), 204);
  EXPECT_TRUE(becomes(1, "second", second, "ACTIVE", std::chrono::seconds(10))) << servers[1]->log_tail();
  EXPECT_EQ(poll(1, "later", later).json().value("status", ""), "WAITING");
  EXPECT_EQ(leave(1, "second", second), 204);
  // The later fan waits out the 10 s after the loss in which only earlier tickets are admitted.
  EXPECT_TRUE(becomes(0, "later", later, "ACTIVE", std::chrono::seconds(25))) << servers[0]->log_tail();
}

}  // namespace
}  // namespace concert::testing
