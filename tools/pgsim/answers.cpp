#include "pgsim/answers.hpp"

#include <nlohmann/json.hpp>

namespace concert::pgsim {

namespace {

using Json = nlohmann::ordered_json;

http::Response json_response(int status, const Json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Json metadata_of(const Payment& p) {
  auto j = Json::parse(p.metadata, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : Json::object();
}

}  // namespace

http::Response toss_error(int status, const std::string& code, const std::string& message) {
  return json_response(status, Json{{"code", code}, {"message", message}});
}

http::Response payment_answer(const Payment& p) {
  const auto refunded = p.cancel ? p.cancel->amount : 0;
  Json body{{"paymentKey", p.payment_key},
            {"orderId", p.order_id},
            {"status", p.status},
            {"method", "CARD"},
            {"totalAmount", p.amount},
            {"balanceAmount", p.approved() ? p.amount - refunded : 0},
            {"requestedAt", p.requested_at},
            {"approvedAt", p.approved_at.empty() ? Json(nullptr) : Json(p.approved_at)},
            {"metadata", metadata_of(p)},
            {"cancels", Json::array()}};
  if (p.cancel) {
    body["cancels"].push_back({{"cancelAmount", p.cancel->amount},
                               {"cancelReason", p.cancel->reason},
                               {"transactionKey", p.cancel->transaction_key},
                               {"canceledAt", p.cancel->canceled_at}});
  }
  if (!p.approved()) body["failure"] = {{"code", p.failure_code}, {"message", p.failure_message}};
  return json_response(200, body);
}

http::Response charge_answer(const Payment& p) {
  if (!p.approved()) return toss_error(403, p.failure_code, p.failure_message);
  Payment as_charged = p;
  as_charged.cancel.reset();
  as_charged.status = "DONE";
  return payment_answer(as_charged);
}

http::Response ledger_answer(const std::vector<LedgerEntry>& entries) {
  auto list = Json::array();
  for (const auto& e : entries) {
    list.push_back({{"kind", e.kind},
                    {"idempotencyKey", e.idempotency_key},
                    {"orderId", e.order_id},
                    {"amount", e.amount},
                    {"gatewayTxId", e.gateway_tx_id},
                    {"outcome", e.outcome},
                    {"at", e.at}});
  }
  return json_response(200, list);
}

}  // namespace concert::pgsim
