// An in-process stand-in for a card payment gateway, so the whole purchase flow
// runs with no external service. It behaves like a real PG where it matters:
// results are idempotent by key (a repeated key returns the first result and
// charges nothing new), and every charge and refund is appended to a ledger file
// so tests can prove "one key, at most one charge" (SPEC I3) from the outside;
// the ledger is also what it remembers across restarts.
#pragma once

#include <chrono>
#include <fstream>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ports/payment_gateway.hpp"

namespace concert::adapters::payments {

struct SandboxRules {
  domain::Money decline_over_amount = 1'000'000;  // charges above this are declined
  std::chrono::milliseconds latency{0};           // simulated gateway round trip
};

class SandboxGateway final : public ports::PaymentGateway {
 public:
  // ledger_path empty: no ledger file. Otherwise the results already in it are
  // its idempotency memory, so keys charged before a restart are not charged again.
  SandboxGateway(SandboxRules rules, const std::string& ledger_path);

  ports::GatewayResult charge(const ports::ChargeRequest& request) override;
  ports::GatewayResult refund(const std::string& idempotency_key, const std::string& gateway_tx_id,
                              domain::Money amount) override;
  ports::GatewayResult lookup(const std::string& idempotency_key) override;

 private:
  bool reload(const std::string& ledger_path);
  void record(const std::string& kind, const std::string& key, const ports::GatewayResult& result,
              domain::Money amount);

  SandboxRules rules_;
  std::mutex mutex_;
  std::unordered_map<std::string, ports::GatewayResult> by_key_;
  std::ofstream ledger_;
  std::uint64_t next_tx_ = 1;
  std::string tx_prefix_;
};

}  // namespace concert::adapters::payments
