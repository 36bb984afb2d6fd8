#include "adapters/payments/sandbox_gateway.hpp"

#include <nlohmann/json.hpp>
#include <thread>

namespace concert::adapters::payments {

SandboxGateway::SandboxGateway(SandboxRules rules, const std::string& ledger_path)
    : rules_(rules),
      // Distinct per process start so gateway tx ids stay unique across restarts.
      tx_prefix_("sbx_" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "_") {
  if (ledger_path.empty()) return;
  const bool torn = reload(ledger_path);
  ledger_.open(ledger_path, std::ios::app);
  if (torn) ledger_ << '\n' << std::flush;  // the next record must not be glued to a torn line
}

// A real gateway keeps its idempotency memory; this one rebuilds it from its
// own ledger, so a concertd restart (kill -9 included) cannot charge or refund
// a key twice. A torn last line (a crash mid-write) is skipped; returns whether
// the file ends in one.
bool SandboxGateway::reload(const std::string& ledger_path) {
  std::ifstream in(ledger_path);
  bool torn = false;
  for (std::string line; std::getline(in, line);) {
    torn = in.eof();  // the last line had no newline
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("kind") || !j.contains("key")) continue;
    const auto kind = j.value("kind", "");
    if (kind != "charge" && kind != "refund") continue;
    ports::GatewayResult result;
    result.outcome = j.value("approved", false) ? ports::GatewayOutcome::Approved : ports::GatewayOutcome::Declined;
    result.gateway_tx_id = j.value("tx", "");
    result.reason = j.value("reason", "");
    by_key_.emplace(kind + ":" + j.value("key", ""), result);
  }
  return torn;
}

void SandboxGateway::record(const std::string& kind, const std::string& key, const ports::GatewayResult& result,
                            domain::Money amount) {
  if (!ledger_.is_open()) return;
  nlohmann::json line{{"kind", kind},
                      {"key", key},
                      {"amount", amount},
                      {"approved", result.outcome == ports::GatewayOutcome::Approved},
                      {"tx", result.gateway_tx_id},
                      {"reason", result.reason}};
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

ports::GatewayResult SandboxGateway::lookup(const std::string& idempotency_key) {
  std::lock_guard lock(mutex_);
  if (auto it = by_key_.find("charge:" + idempotency_key); it != by_key_.end()) return it->second;
  return {ports::GatewayOutcome::NotFound, "", "no charge under this key"};
}

}  // namespace concert::adapters::payments
