#include "audit/ledger.hpp"

#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "domain/state_machines.hpp"
#include "platform/http_client.hpp"

namespace concert::audit {

using domain::PaymentStatus;

namespace {

domain::Result<std::vector<LedgerEntry>> read_ledger_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return domain::fail(domain::ErrorCode::NotFound, "cannot read the gateway ledger " + path);
  std::vector<LedgerEntry> entries;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;  // a torn last line
    entries.push_back({j.value("kind", ""), j.value("key", ""), j.value("approved", false)});
  }
  return entries;
}

domain::Result<std::vector<LedgerEntry>> read_ledger_url(const std::string& url) {
  auto endpoint = platform::parse_http_url(url);
  if (!endpoint) return tl::unexpected(endpoint.error());
  platform::HttpClient client(*endpoint, {std::chrono::milliseconds(2000), std::chrono::milliseconds(30'000), 1});
  const auto answer = client.call("GET", "/ledger", {}, "");
  if (!answer || answer->status != 200) {
    return domain::fail(domain::ErrorCode::Unavailable,
                        "GET " + url + "/ledger: " + (answer ? std::to_string(answer->status) : answer.error().detail));
  }
  const auto j = nlohmann::json::parse(answer->body, nullptr, false);
  if (!j.is_array()) return domain::fail(domain::ErrorCode::InvalidInput, "GET " + url + "/ledger: not a JSON array");
  std::vector<LedgerEntry> entries;
  for (const auto& e : j) {
    if (!e.is_object()) continue;
    entries.push_back({e.value("kind", ""), e.value("idempotencyKey", ""), e.value("outcome", "") == "APPROVED"});
  }
  return entries;
}

}  // namespace

domain::Result<std::vector<LedgerEntry>> read_ledger(const std::string& source) {
  return source.starts_with("http://") ? read_ledger_url(source) : read_ledger_file(source);
}

void check_ledger(const std::vector<LedgerEntry>& entries, const std::vector<domain::Payment>& payments, ports::Tx& tx,
                  InvariantReport& report) {
  // A key of no audited payment: another sale's payment, or money taken for nothing.
  const auto unknown = [&tx, &report](const std::string& key, const char* prefix, const char* did) {
    const std::string_view rest = std::string_view(key).substr(std::min(key.size(), std::strlen(prefix)));
    domain::Id id = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
    const bool known = key.starts_with(prefix) && ec == std::errc() && end == rest.data() + rest.size() &&
                       tx.find_payment(id).has_value();
    if (!known) report.add("I3", std::string("the gateway ") + did + " " + key + ", which no payment has");
  };
  std::map<std::string, const domain::Payment*> by_charge_key, by_refund_key;
  for (const auto& p : payments) {
    by_charge_key["pay-" + std::to_string(p.id)] = &p;
    by_refund_key["refund-" + std::to_string(p.id)] = &p;
  }
  std::map<std::string, int> charges, refunds;
  for (const auto& e : entries) {
    if (!e.approved) {
      // A decline charged nothing; its payment must not say it was charged.
      const auto it = by_charge_key.find(e.key);
      if (e.kind == "charge" && it != by_charge_key.end() && domain::was_charged(it->second->status)) {
        report.add("I3", "gateway declined " + e.key + " but payment " + std::to_string(it->second->id) + " is " +
                             std::string(to_string(it->second->status)));
      }
      continue;
    }
    if (e.kind == "charge") {
      ++charges[e.key];
      const auto it = by_charge_key.find(e.key);
      if (it == by_charge_key.end()) {
        unknown(e.key, "pay-", "charged");
      } else if (!domain::was_charged(it->second->status) && it->second->status != PaymentStatus::Pending) {
        // PENDING: its answer was lost and nobody settled it yet (the reconciler will).
        report.add("I3", "the gateway charged " + e.key + " but payment " + std::to_string(it->second->id) + " is " +
                             std::string(to_string(it->second->status)));
      }
    } else if (e.kind == "refund") {
      ++refunds[e.key];
      const auto it = by_refund_key.find(e.key);
      if (it == by_refund_key.end()) {
        unknown(e.key, "refund-", "refunded");
      } else if (it->second->status == PaymentStatus::Approved) {
        report.add("I3", "payment " + std::to_string(it->second->id) + " is APPROVED but the gateway refunded it");
      }
    }
  }
  // Counted over the whole ledger, other sales' keys included.
  for (const auto& [key, n] : charges) {
    if (n > 1) report.add("I3", "gateway key " + key + " was charged " + std::to_string(n) + " times");
  }
  for (const auto& [key, n] : refunds) {
    if (n > 1) report.add("I3", "gateway key " + key + " was refunded " + std::to_string(n) + " times");
  }
  for (const auto& p : payments) {
    const auto id = std::to_string(p.id);
    if (domain::was_charged(p.status) && !charges.contains("pay-" + id)) {
      report.add("I3", "payment " + id + " is " + std::string(to_string(p.status)) + " but the gateway has no charge");
    }
    if ((p.status == PaymentStatus::Refunded || p.status == PaymentStatus::Voided) &&
        !refunds.contains("refund-" + id)) {
      report.add("I3", "payment " + id + " is " + std::string(to_string(p.status)) + " but the gateway has no refund");
    }
  }
}

}  // namespace concert::audit
