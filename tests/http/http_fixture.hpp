// A real concertd process on a loopback port with its own data dir, and helpers
// to act as fans and admins against it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>

#include "platform/jwt.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace concert::testing {

// The concertd the suites start: this build's, or CONCERTD_TEST_BINARY's (to run
// the same suites against another build, e.g. an earlier commit's).
inline std::string concertd_binary() {
  const char* other = std::getenv("CONCERTD_TEST_BINARY");
  return other && *other ? other : CONCERTD_BINARY;
}

inline constexpr const char* kTestSecret = "http-test-secret-0123456789abcdef";
inline constexpr const char* kTestWebhookSecret = "http-test-pg-webhook-secret-0123";

class HttpTest : public ::testing::Test {
 protected:
  // Config overrides for this suite (JSON object text); fast workers by default,
  // and no per-address abuse limits: every fan of a suite is on 127.0.0.1 (the
  // per-user limits stay; AbuseLimits tests set their own).
  virtual std::string config_json() const {
    return R"({"promotion_interval_ms": 20, "sweep_interval_ms": 100, "relay_interval_ms": 50,
               "admit_per_second": 1000, "max_active": 10000,
               "limit_entry_address_per_second": 0, "limit_write_address_per_second": 0})";
  }

  // The server's command line; the embedded profile with demo data by default.
  virtual std::vector<std::string> server_args() const {
    return {"--listen", "127.0.0.1:0", "--data-dir", dir.file("data"), "--config", dir.file("config.json"), "--demo"};
  }

  void SetUp() override {
    ::setenv("CONCERTD_JWT_SECRET", kTestSecret, 1);
    ::setenv("CONCERTD_PG_WEBHOOK_SECRET", kTestWebhookSecret, 1);
    std::ofstream(dir.file("config.json")) << config_json();
    server.emplace(ServerProcess::start(concertd_binary(), server_args(), dir.file("concertd.log")));
    client = std::make_unique<HttpClient>("127.0.0.1", server->port());
  }

  void TearDown() override {
    client.reset();
    if (server) {
      EXPECT_EQ(server->terminate(), 0) << server->log_tail();
    }
  }

  static std::string token_for(const std::string& sub, std::optional<std::string> role = std::nullopt) {
    return platform::mint_token(kTestSecret, sub, std::move(role), std::chrono::hours(1),
                                std::chrono::system_clock::now());
  }
  static HeaderList auth(const std::string& sub) { return {{"Authorization", "Bearer " + token_for(sub)}}; }
  static HeaderList admin() { return {{"Authorization", "Bearer " + token_for("ops", "admin")}}; }

  // Enters schedule 1's queue as `user` and polls until ACTIVE; returns the token.
  std::string admit(const std::string& user, std::int64_t schedule_id = 1) {
    auto entered = client->post("/api/v1/schedules/" + std::to_string(schedule_id) + "/queue", "", auth(user));
    EXPECT_TRUE(entered.status == 201 || entered.status == 200) << entered.body;
    const auto token = entered.json().at("token").get<std::string>();
    for (int i = 0; i < 500; ++i) {
      auto headers = auth(user);
      headers.emplace_back("Queue-Token", token);
      auto st = client->get("/api/v1/queue/status", headers);
      if (st.status == 200 && st.json().at("status") == "ACTIVE") return token;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "user " << user << " never became ACTIVE";
    return token;
  }

  TempDir dir;
  std::optional<ServerProcess> server;
  std::unique_ptr<HttpClient> client;
};

}  // namespace concert::testing
