// The abuse limits of SPEC §4 against a real concertd: per user and per client
// address, X-Forwarded-For believed only from trusted proxies, the per-address
// connection cap; every refusal a 429 problem with Retry-After that changed
// nothing. The local profile's limits are shared by its instances (Redis).
#include <fstream>
#include <thread>

#include "adapters/mysql/mysql_store.hpp"
#include "http_fixture.hpp"
#include "platform/crypto.hpp"
#include "support/app_fixture.hpp"
#include "support/backends.hpp"
#include "support/raw_connection.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

void expect_rate_limited(const Reply& r) {
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  if (r.status != 429) return;
  EXPECT_EQ(r.json()["code"], "rate-limited");
  const auto retry_after = r.header("Retry-After");
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  EXPECT_EQ(r.header("Idempotent-Replayed"), "");
}

HeaderList bearer(const std::string& sub) {
  return {{"Authorization", "Bearer " + platform::mint_token(kTestSecret, sub, std::nullopt, std::chrono::hours(1),
                                                             std::chrono::system_clock::now())}};
}

std::string enter_path(int schedule) { return "/api/v1/schedules/" + std::to_string(schedule) + "/queue"; }

class AbuseLimits : public HttpTest {
 protected:
  // Per user: one queue entry at once, two writes; nothing per address.
  std::string config_json() const override {
    return R"({"promotion_interval_ms": 20, "admit_per_second": 1000, "max_active": 10000,
               "limit_entry_user_per_second": 1, "limit_entry_user_burst": 1,
               "limit_write_user_per_second": 1, "limit_write_user_burst": 2,
               "limit_entry_address_per_second": 0, "limit_write_address_per_second": 0})";
  }

  std::string seat_status(int seat) {
    const auto seats = client->get("/api/v1/schedules/1/seats").json()["seats"];
    for (const auto& s : seats) {
      if (s["id"] == seat) return s["status"];
    }
    return "missing";
  }

  std::string metrics() { return client->get("/metrics").body; }
};

TEST_F(AbuseLimits, AUserOverTheQueueEntryLimitGets429AndIsNotEntered) {
  EXPECT_EQ(client->post(enter_path(1), "", auth("eve")).status, 201);
  const auto refused = client->post(enter_path(2), "", auth("eve"));
  expect_rate_limited(refused);
  // Another user is not slowed down by eve.
  EXPECT_EQ(client->post(enter_path(2), "", auth("frank")).status, 201);
  // The refused entry did not happen: after the wait, eve's entry is new (201, not 200).
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(refused.header("Retry-After"))));
  EXPECT_EQ(client->post(enter_path(2), "", auth("eve")).status, 201);
  EXPECT_NE(metrics().find(R"(concertd_rate_limited_total{action="queue_entry"} 1)"), std::string::npos);
}

TEST_F(AbuseLimits, AUserOverTheWriteLimitGets429AndNothingIsHeldOrStored) {
  const auto token = admit("eve");
  std::this_thread::sleep_for(1100ms);  // admit() spent eve's entry token, not a write
  auto headers = auth("eve");
  headers.emplace_back("Queue-Token", token);
  for (int seat : {1, 2}) {
    auto h = headers;
    h.emplace_back("Idempotency-Key", "hold-" + std::to_string(seat));
    ASSERT_EQ(
        client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[)" + std::to_string(seat) + "]}", h).status,
        201);
  }
  auto third = headers;
  third.emplace_back("Idempotency-Key", "hold-3");
  const std::string body = R"({"scheduleId":1,"seatIds":[3]})";
  const auto refused = client->post("/api/v1/reservations", body, third);
  expect_rate_limited(refused);
  EXPECT_EQ(seat_status(3), "AVAILABLE");
  // A 429 is not the key's answer: the same key, once the bucket refilled, holds the seat.
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(refused.header("Retry-After"))));
  const auto retried = client->post("/api/v1/reservations", body, third);
  EXPECT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(retried.header("Idempotent-Replayed"), "");
  EXPECT_EQ(seat_status(3), "HELD");
  // Reads are never limited.
  for (int i = 0; i < 30; ++i) ASSERT_EQ(client->get("/api/v1/reservations/1", auth("eve")).status, 200);
  EXPECT_NE(metrics().find(R"(concertd_rate_limited_total{action="write"} 1)"), std::string::npos);
}

// concertd behind a proxy on 127.0.0.1: the address limit counts the client X-Forwarded-For names.
class AbuseLimitsBehindAProxy : public AbuseLimits {
 protected:
  std::string config_json() const override {
    return R"({"trusted_proxies": "127.0.0.1", "limit_entry_user_per_second": 0,
               "limit_entry_address_per_second": 1, "limit_entry_address_burst": 2,
               "max_connections_per_address": 2})";
  }
  Reply enter_from(const std::string& user, const std::string& forwarded_for) {
    auto headers = auth(user);
    headers.emplace_back("X-Forwarded-For", forwarded_for);
    return client->post(enter_path(1), "", headers);
  }
};

TEST_F(AbuseLimitsBehindAProxy, EveryUserOfOneClientAddressSharesItsLimitAndAForgedHeaderDoesNotHelp) {
  EXPECT_EQ(enter_from("u1", "198.51.100.1").status, 201);
  EXPECT_EQ(enter_from("u2", "198.51.100.1").status, 201);
  expect_rate_limited(enter_from("u3", "198.51.100.1"));
  // The client sent its own X-Forwarded-For; the proxy appended the real address.
  expect_rate_limited(enter_from("u3", "203.0.113.50, 198.51.100.1"));
  // Another address behind the same proxy, and an IPv6 client's neighbour in its /64.
  EXPECT_EQ(enter_from("u3", "198.51.100.2").status, 201);
  EXPECT_EQ(enter_from("u4", "2001:db8:1:2::1").status, 201);
  EXPECT_EQ(enter_from("u5", "2001:db8:1:2::ffff").status, 201);
  expect_rate_limited(enter_from("u6", "2001:db8:1:2:abcd::7"));
}

TEST_F(AbuseLimitsBehindAProxy, ATrustedProxyIsNeverCappedOnConnections) {
  std::vector<std::unique_ptr<RawConn>> open;
  for (int i = 0; i < 6; ++i) {
    open.push_back(std::make_unique<RawConn>(server->port()));
    ASSERT_TRUE(open.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(parse_reply(open.back()->read_response(2s).data).status, 200) << i;
  }
}

// No trusted proxy: the peer is the client, whatever X-Forwarded-For says.
class AbuseLimitsWithoutAProxy : public AbuseLimitsBehindAProxy {
 protected:
  std::string config_json() const override {
    return R"({"limit_entry_user_per_second": 0, "limit_entry_address_per_second": 1,
               "limit_entry_address_burst": 2, "max_connections_per_address": 3})";
  }
};

TEST_F(AbuseLimitsWithoutAProxy, ForwardedForFromAnUntrustedPeerIsIgnored) {
  EXPECT_EQ(enter_from("u1", "198.51.100.1").status, 201);
  EXPECT_EQ(enter_from("u2", "198.51.100.2").status, 201);
  expect_rate_limited(enter_from("u3", "198.51.100.3"));  // all three are 127.0.0.1
}

TEST_F(AbuseLimitsWithoutAProxy, AnAddressOverItsConnectionCapGets429UntilOneCloses) {
  // The fixture's own client holds one connection already.
  ASSERT_EQ(client->get("/healthz").status, 200);
  std::vector<std::unique_ptr<RawConn>> open;
  for (int i = 0; i < 2; ++i) {
    open.push_back(std::make_unique<RawConn>(server->port()));
    ASSERT_TRUE(open.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(parse_reply(open.back()->read_response(2s).data).status, 200) << i;
  }
  RawConn over(server->port());
  const auto answer = over.read_until_close(2s);
  const auto reply = parse_reply(answer.data);
  EXPECT_EQ(reply.status, 429) << answer.data;
  EXPECT_TRUE(reply.has_header("Retry-After: 1")) << reply.head;
  EXPECT_EQ(reply.json()["code"], "rate-limited");
  EXPECT_TRUE(answer.closed);
  // Closing one makes room (the server notices the close at once).
  open.pop_back();
  for (int attempt = 0; attempt < 50; ++attempt) {
    RawConn next(server->port());
    next.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    if (parse_reply(next.read_response(2s).data).status == 200) return;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "no room after a connection closed";
}

// Two local-profile instances on one Redis: a user's tokens are spent on either.
class SharedAbuseLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    CONCERT_REQUIRE_BACKEND(AdapterKind::Production);
    db = private_database(db_guard);
    ::setenv("CONCERTD_JWT_SECRET", kTestSecret, 1);
    ::setenv("CONCERTD_MYSQL_URL", mysql_url_of(db).c_str(), 1);
    ::setenv("CONCERTD_REDIS_URL", env_or_empty("CONCERTD_TEST_REDIS_URL").c_str(), 1);
    std::ofstream(dir.file("config.json"))
        << R"({"limit_entry_user_per_second": 1, "limit_entry_user_burst": 2, "limit_entry_address_per_second": 0,
               "redis_key_prefix": "al_)"
        << platform::random_hex(6) << R"(:"})";
    for (int i = 0; i < 2; ++i) {
      servers.push_back(std::make_unique<ServerProcess>(
          ServerProcess::start(concertd_binary(),
                               {"--profile", "local", "--demo", "--listen", "127.0.0.1:0", "--data-dir",
                                dir.file("data" + std::to_string(i)), "--config", dir.file("config.json")},
                               dir.file("concertd" + std::to_string(i) + ".log"))));
    }
  }
  void TearDown() override {
    for (auto& s : servers) EXPECT_EQ(s->terminate(), 0) << s->log_tail();
    ::unsetenv("CONCERTD_MYSQL_URL");
    ::unsetenv("CONCERTD_REDIS_URL");
  }

  TempDir dir;
  std::shared_ptr<void> db_guard;
  adapters::mysql::ConnectionOptions db;
  std::vector<std::unique_ptr<ServerProcess>> servers;
};

TEST_F(SharedAbuseLimits, AUsersTokensAreSpentOnEveryInstance) {
  HttpClient a("127.0.0.1", servers[0]->port()), b("127.0.0.1", servers[1]->port());
  const auto token = bearer("eve");
  EXPECT_EQ(a.post(enter_path(1), "", token).status, 201);
  EXPECT_EQ(b.post(enter_path(2), "", token).status, 201);
  expect_rate_limited(a.post(enter_path(1), "", token));
  expect_rate_limited(b.post(enter_path(2), "", token));
  EXPECT_EQ(b.post(enter_path(1), "", bearer("frank")).status, 201);
}

}  // namespace
}  // namespace concert::testing
