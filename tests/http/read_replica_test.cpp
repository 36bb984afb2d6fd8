// Read replicas (SPEC §8) against the real MariaDB primary and replica that
// scripts/test-services starts (database concertd_replicated): catalogue and
// seat-map reads come from the replica while it is fresh, from the primary once
// it falls behind (its SQL thread stopped) and again from the replica when it
// has caught up; a replica that shows a held seat as free never decides a hold.
// Which server answered is told by rows written into the replica alone (its
// slave_exec_mode is IDEMPOTENT, so replication goes on past them).
#include <fstream>
#include <thread>

#include "adapters/mysql/connection.hpp"
#include "adapters/mysql/mysql_url.hpp"
#include "http_fixture.hpp"
#include "platform/crypto.hpp"
#include "support/app_fixture.hpp"
#include "support/backends.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

class ReadReplica : public HttpTest {
 protected:
  void SetUp() override {
    CONCERT_REQUIRE_BACKEND(AdapterKind::Production);
    primary_url = env_or_empty("CONCERTD_TEST_MYSQL_REPLICATED_URL");
    replica_url = env_or_empty("CONCERTD_TEST_MYSQL_REPLICA_URL");
    ASSERT_FALSE(primary_url.empty() || replica_url.empty())
        << "scripts/test-services exports CONCERTD_TEST_MYSQL_REPLICATED_URL and CONCERTD_TEST_MYSQL_REPLICA_URL";
    ::setenv("CONCERTD_MYSQL_URL", primary_url.c_str(), 1);
    ::setenv("CONCERTD_MYSQL_REPLICA_URL", replica_of_server().c_str(), 1);
    ::setenv("CONCERTD_REDIS_URL", env_or_empty("CONCERTD_TEST_REDIS_URL").c_str(), 1);
    HttpTest::SetUp();
    replica = std::make_unique<adapters::mysql::Connection>(
        adapters::mysql::ConnectionOptions{*adapters::mysql::parse_mysql_url(replica_url)});
  }

  void TearDown() override {
    if (replica) replica->exec("START SLAVE");  // whatever a failed test left stopped
    HttpTest::TearDown();
    for (const char* v : {"CONCERTD_MYSQL_URL", "CONCERTD_MYSQL_REPLICA_URL", "CONCERTD_REDIS_URL"}) ::unsetenv(v);
  }

  // The replica concertd is given.
  virtual std::string replica_of_server() const { return replica_url; }

  std::string config_json() const override {
    return R"({"promotion_interval_ms": 20, "admit_per_second": 1000, "max_active": 10000, "seat_map_local_ttl_ms": 0,
               "replica_max_lag_ms": 500, "limit_entry_address_per_second": 0, "limit_write_address_per_second": 0,
               "redis_key_prefix": "replica_)" +
           prefix + R"(:"})";
  }
  std::vector<std::string> server_args() const override {
    return {"--profile",  "local",          "--listen", "127.0.0.1:0",
            "--data-dir", dir.file("data"), "--config", dir.file("config.json")};
  }

  // Polls `target` until it answers `status` (the catalogue's answers are cached for 1 s).
  bool eventually(const std::string& target, int status) {
    for (int i = 0; i < 200; ++i) {
      if (client->get(target).status == status) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  std::int64_t create(const std::string& path, const std::string& body) {
    const auto created = client->post(path, body, admin());
    EXPECT_EQ(created.status, 201) << created.body;
    return created.json().at("id").get<std::int64_t>();
  }

  std::string prefix = platform::random_hex(6);
  std::string primary_url, replica_url;
  std::unique_ptr<adapters::mysql::Connection> replica;
};

TEST_F(ReadReplica, CatalogueReadsComeFromAFreshReplicaAndFromThePrimaryWhileItIsBehind) {
  const auto only_on_replica = 900'000'000 + static_cast<std::int64_t>(std::stoul(prefix.substr(0, 6), nullptr, 16));
  const auto target = "/api/v1/concerts/" + std::to_string(only_on_replica);
  replica->exec("INSERT INTO concerts (id, title) VALUES (" + std::to_string(only_on_replica) + ", 'replica only')");
  EXPECT_TRUE(eventually(target, 200)) << "the fresh replica never answered";

  replica->exec("STOP SLAVE SQL_THREAD");  // behind from now on: this instance's heartbeat stops advancing there
  EXPECT_TRUE(eventually(target, 404)) << "a replica left behind kept answering";
  const auto fresh = create("/api/v1/admin/concerts", R"({"title":"new on the primary"})");
  EXPECT_EQ(client->get("/api/v1/concerts/" + std::to_string(fresh)).status, 200);  // the primary answers

  replica->exec("START SLAVE SQL_THREAD");
  EXPECT_TRUE(eventually(target, 200)) << "the replica was not used again once it caught up";
  replica->exec("DELETE FROM concerts WHERE id = " + std::to_string(only_on_replica));
}

TEST_F(ReadReplica, AReplicaThatShowsAHeldSeatAsFreeNeverDecidesAHold) {
  const auto concert = create("/api/v1/admin/concerts", R"({"title":"Replica Hall"})");
  const auto schedule = create(
      "/api/v1/admin/concerts/" + std::to_string(concert) + "/schedules",
      R"({"startsAt":"2030-01-01T19:00:00Z","salesOpenAt":"2020-01-01T00:00:00Z","salesCloseAt":"2030-01-01T18:00:00Z",
          "sections":[{"name":"A","grade":"R","price":50000,"rows":1,"seatsPerRow":4}]})");
  const auto seats_path = "/api/v1/schedules/" + std::to_string(schedule) + "/seats";
  ASSERT_TRUE(eventually(seats_path, 200));
  const auto seat = client->get(seats_path).json()["seats"][0]["id"].get<std::int64_t>();
  const auto seat_text = std::to_string(seat);

  // The database outlives the run (it is the one test-services replicates): fans of this run only.
  auto hold = [&](const std::string& name, std::int64_t seat_id) {
    const auto fan = name + "-" + prefix;
    auto h = auth(fan);
    h.emplace_back("Queue-Token", admit(fan, schedule));
    h.emplace_back("Idempotency-Key", "hold-" + fan);
    return client->post(
        "/api/v1/reservations",
        R"({"scheduleId":)" + std::to_string(schedule) + R"(,"seatIds":[)" + std::to_string(seat_id) + "]}", h);
  };
  ASSERT_EQ(hold("alice", seat).status, 201);
  // The replica gets the hold, then is made to show the seat free again.
  for (int i = 0; i < 100; ++i) {
    auto st = replica->prepare("SELECT status FROM seats WHERE id = ?");
    st.bind_all(seat);
    if (st.step() && st.text(0) == "HELD") break;
    std::this_thread::sleep_for(50ms);
  }
  replica->exec("UPDATE seats SET status = 'AVAILABLE', reservation_id = NULL WHERE id = " + seat_text);
  const auto other = client->get(seats_path).json()["seats"][1]["id"].get<std::int64_t>();
  ASSERT_EQ(hold("carol", other).status, 201);  // invalidates the seat map: it is rendered from the replica again
  bool shown_free = false;
  for (int i = 0; i < 100 && !shown_free; ++i) {
    const auto map = client->get(seats_path).json();
    for (const auto& s : map["seats"]) {
      if (s["id"] == seat && s["status"] == "AVAILABLE") shown_free = true;
    }
    if (!shown_free) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(shown_free) << "the seat map did not come from the replica";

  const auto taken = hold("bob", seat);  // decided on the primary, where alice holds it
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(taken.json()["code"], "seat-taken");
}

// A replica that is down (nothing listens at its address): concertd starts and
// serves every read from the primary.
class ReadReplicaDown : public ReadReplica {
 protected:
  std::string replica_of_server() const override { return "mysql://concertd:concertd@127.0.0.1:1/concertd_replicated"; }
};

TEST_F(ReadReplicaDown, EveryReadIsLeftToThePrimary) {
  const auto concert = create("/api/v1/admin/concerts", R"({"title":"primary only"})");
  EXPECT_EQ(client->get("/api/v1/concerts/" + std::to_string(concert)).status, 200);
  EXPECT_EQ(client->get("/api/v1/concerts").status, 200);
  EXPECT_EQ(client->get("/readyz").status, 200);  // a replica is no dependency of readiness
}

}  // namespace
}  // namespace concert::testing
