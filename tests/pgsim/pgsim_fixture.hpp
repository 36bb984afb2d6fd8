// A real concert-pgsim process on a loopback port with its own ledger file, and
// helpers that speak the gateway API to it as concertd's HTTP gateway does.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "platform/crypto.hpp"
#include "support/http_client.hpp"
#include "support/raw_connection.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace concert::testing {

inline constexpr const char* kPgSecret = "pgsim-test-secret-0123456789";
inline constexpr const char* kPgWebhookSecret = "pgsim-test-webhook-secret-0123";

class PgsimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir.file("secret")) << kPgSecret << "\n";  // the trailing newline is not part of it
    std::ofstream(dir.file("webhook-secret")) << kPgWebhookSecret << "\n";
  }

  void TearDown() override {
    client.reset();
    if (sim) {
      EXPECT_EQ(sim->terminate(), 0) << sim->log_tail();
    }
  }

  std::vector<std::string> base_args() const {
    return {"--listen", "127.0.0.1:0", "--ledger", dir.file("ledger.sqlite"), "--secret-file", dir.file("secret")};
  }

  // Starts the simulator on the suite's ledger (stopping a running one first);
  // each start logs to a file of its own, so its listening line is its own.
  void start(const std::vector<std::string>& extra = {}, bool with_defaults = true) {
    stop();
    auto args = with_defaults ? base_args() : std::vector<std::string>{};
    args.insert(args.end(), extra.begin(), extra.end());
    sim.emplace(ServerProcess::start(PGSIM_BINARY, args, dir.file("pgsim-" + std::to_string(++starts) + ".log"),
                                     std::chrono::seconds(20)));
    client = std::make_unique<HttpClient>("127.0.0.1", sim->port());
  }

  void stop() {
    client.reset();
    if (sim) {
      EXPECT_EQ(sim->terminate(), 0) << sim->log_tail();
      sim.reset();
    }
  }

  void kill9() {
    client.reset();
    sim->kill9();
    sim.reset();
  }

  // Waits (bounded) for the simulator's log to show `text`; info lines reach the file within a second.
  bool wait_for_log(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (sim->log_tail(1 << 20).find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  static std::string basic(const std::string& secret) { return "Basic " + platform::base64_encode(secret + ":"); }
  static HeaderList headers(const std::string& idempotency_key = "", const std::string& secret = kPgSecret) {
    HeaderList h{{"Authorization", basic(secret)}, {"Content-Type", "application/json"}};
    if (!idempotency_key.empty()) h.emplace_back("Idempotency-Key", idempotency_key);
    return h;
  }

  static std::string charge_body(const std::string& order_id, std::int64_t amount, std::int64_t payment_id = 42) {
    return nlohmann::json{{"paymentKey", order_id},
                          {"orderId", order_id},
                          {"amount", amount},
                          {"metadata", {{"paymentId", std::to_string(payment_id)}, {"userId", "auth0|abc"}}}}
        .dump();
  }

  Reply charge(const std::string& key, const std::string& order_id, std::int64_t amount, std::int64_t payment_id = 42) {
    return client->post("/v1/payments/confirm", charge_body(order_id, amount, payment_id), headers(key));
  }
  Reply cancel(const std::string& payment_key, const std::string& key, std::optional<std::int64_t> amount = {}) {
    nlohmann::json body{{"cancelReason", "refund"}};
    if (amount) body["cancelAmount"] = *amount;
    return client->post("/v1/payments/" + payment_key + "/cancel", body.dump(), headers(key));
  }
  Reply lookup(const std::string& order_id) { return client->get("/v1/payments/orders/" + order_id, headers()); }

  nlohmann::json ledger() {
    auto r = client->get("/ledger");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // The request bytes of a charge, for a client that must see exactly what comes back.
  static std::string raw_charge(const std::string& key, const std::string& order_id, std::int64_t amount) {
    const auto body = charge_body(order_id, amount);
    return "POST /v1/payments/confirm HTTP/1.1\r\nHost: pgsim\r\nAuthorization: " + basic(kPgSecret) +
           "\r\nIdempotency-Key: " + key +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  TempDir dir;
  std::optional<ServerProcess> sim;
  std::unique_ptr<HttpClient> client;
  int starts = 0;
};

}  // namespace concert::testing
