#include "adapters/payments/sandbox_gateway.hpp"

#include <nlohmann/json.hpp>
#include <thread>

namespace concert::adapters::payments {

SandboxGateway::SandboxGateway(SandboxRules rules, const std::string& ledger_path)
    : rules_(rules),
      // Distinct per process start so gateway tx ids stay unique across restarts.
      tx_prefix_("sbx_" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "_") {
  if (!ledger_path.empty()) ledger_.open(ledger_path, std::ios::app);
}

void SandboxGateway::record(const std::string& kind, const std::string& key, const ports::GatewayResult& result,
                            domain::Money amount) {
  if (!ledger_.is_open()) return;
  nlohmann::json line{{"kind", kind},
                      {"key", key},
                      {"amount", amount},
                      {"approved", result.outcome == ports::GatewayOutcome::Approved},
                      {"tx", result.gateway_tx_id}};
  ledger_ << line.dump() << '\n' << std::flush;
}

ports::GatewayResult SandboxGateway::charge(const ports::ChargeRequest& request) {
  if (rules_.latency.count() > 0) std::this_thread::sleep_for(rules_.latency);
  std::lock_guard lock(mutex_);
  const std::string key = "charge:" + request.idempotency_key;
  if (auto it = by_key_.find(key); it != by_key_.end()) return it->second;
  ports::GatewayResult result;
  result.gateway_tx_id = tx_prefix_ + std::to_string(next_tx_++);
  if (request.amount > rules_.decline_over_amount) {
    result.outcome = ports::GatewayOutcome::Declined;
    result.reason = "amount over the sandbox limit";
  } else {
    result.outcome = ports::GatewayOutcome::Approved;
  }
  by_key_.emplace(key, result);
  record("charge", request.idempotency_key, result, request.amount);
  return result;
}

ports::GatewayResult SandboxGateway::refund(const std::string& idempotency_key, const std::string& gateway_tx_id,
                                            domain::Money amount) {
  if (rules_.latency.count() > 0) std::this_thread::sleep_for(rules_.latency);
  std::lock_guard lock(mutex_);
  const std::string key = "refund:" + idempotency_key;
  if (auto it = by_key_.find(key); it != by_key_.end()) return it->second;
  ports::GatewayResult result{ports::GatewayOutcome::Approved, gateway_tx_id, ""};
  by_key_.emplace(key, result);
  record("refund", idempotency_key, result, amount);
  return result;
}

}  // namespace concert::adapters::payments
