// The embedded profile keeps its queue across a restart of concertd (issue 13
// item 3): after SIGTERM, and after kill -9 once the snapshot's second has
// passed, an admitted fan's ticket is still ACTIVE and good for a hold, and a
// waiting fan keeps its place ahead of fans who enter afterwards.
#include <thread>

#include "http_fixture.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

class EmbeddedQueueRestart : public HttpTest {
 protected:
  // One session at a time: the second fan waits.
  std::string config_json() const override {
    return R"({"promotion_interval_ms": 20, "admit_per_second": 1000, "max_active": 1})";
  }

  void restart(bool kill9) {
    client.reset();
    if (kill9) {
      server->kill9();
    } else {
      ASSERT_EQ(server->terminate(), 0) << server->log_tail();
    }
    server.reset();
    // A fresh log: the new process tells its port there.
    server.emplace(ServerProcess::start(concertd_binary(), server_args(),
                                        dir.file("concertd-" + std::to_string(++starts) + ".log")));
    client = std::make_unique<HttpClient>("127.0.0.1", server->port());
  }

  int starts = 0;

  nlohmann::json poll(const std::string& user, const std::string& token) {
    auto h = auth(user);
    h.emplace_back("Queue-Token", token);
    const auto r = client->get("/api/v1/queue/status", h);
    EXPECT_EQ(r.status, 200) << user << ": " << r.body;
    return r.status == 200 ? r.json() : nlohmann::json{};
  }
};

TEST_F(EmbeddedQueueRestart, FansKeepTheirPlaceAndTheirSessionAfterSigtermAndAfterKillNine) {
  const auto alice = admit("alice");
  const auto bob_entered = client->post("/api/v1/schedules/1/queue", "", auth("bob"));
  ASSERT_EQ(bob_entered.status, 201) << bob_entered.body;
  const auto bob = bob_entered.json()["token"].get<std::string>();
  ASSERT_EQ(poll("bob", bob)["status"], "WAITING");

  restart(/*kill9=*/false);
  EXPECT_EQ(poll("alice", alice)["status"], "ACTIVE");
  EXPECT_EQ(poll("bob", bob)["status"], "WAITING");
  EXPECT_EQ(poll("bob", bob)["position"], 1);
  const auto carol = client->post("/api/v1/schedules/1/queue", "", auth("carol"));
  ASSERT_EQ(carol.status, 201) << carol.body;
  EXPECT_EQ(carol.json()["position"], 2);  // behind bob, who entered before the restart

  std::this_thread::sleep_for(1500ms);  // past the snapshot's interval
  restart(/*kill9=*/true);
  EXPECT_EQ(poll("alice", alice)["status"], "ACTIVE");
  EXPECT_EQ(poll("bob", bob)["position"], 1);
  EXPECT_EQ(poll("carol", carol.json()["token"].get<std::string>())["position"], 2);
  // The session is good for what it is for.
  auto h = auth("alice");
  h.emplace_back("Queue-Token", alice);
  h.emplace_back("Idempotency-Key", "hold-after-restart");
  const auto hold = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[1]})", h);
  EXPECT_EQ(hold.status, 201) << hold.body;
}

}  // namespace
}  // namespace concert::testing
