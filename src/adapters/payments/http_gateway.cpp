#include "adapters/payments/http_gateway.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "platform/crypto.hpp"
#include "platform/trace_context.hpp"

namespace concert::adapters::payments {

using ports::GatewayOutcome;
using ports::GatewayResult;

namespace {

// Path segments are percent-encoded (RFC 3986 unreserved characters stay).
std::string path_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

nlohmann::json body_of(const platform::HttpAnswer& answer) {
  auto j = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::string text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

GatewayResult unknown(const platform::HttpAnswer& answer, const nlohmann::json& j) {
  return {GatewayOutcome::Unknown, "",
          "the gateway answered " + std::to_string(answer.status) + " " + text(j, "code") + ": " + text(j, "message")};
}

// Toss' codes for a card refused (the charge is definitely not made).
bool is_decline(const platform::HttpAnswer& answer, const std::string& code) {
  if (answer.status == 403) return true;
  return answer.status == 400 && (code.starts_with("INVALID_CARD") || code.starts_with("EXCEED_MAX") ||
                                  code.starts_with("REJECT_") || code == "NOT_AVAILABLE_PAYMENT");
}

// A Toss payment object's status as a charge's outcome.
GatewayResult outcome_of_payment(const nlohmann::json& payment) {
  const auto status = text(payment, "status");
  const auto tx = text(payment, "paymentKey");
  if (status == "DONE" || status == "CANCELED" || status == "PARTIAL_CANCELED") {
    return {GatewayOutcome::Approved, tx, ""};
  }
  if (status == "ABORTED" || status == "EXPIRED") {
    return {GatewayOutcome::Declined, tx, text(payment, "failureMessage")};
  }
  return {GatewayOutcome::Unknown, tx, "the gateway reports the payment as " + status};
}

}  // namespace

HttpGateway::HttpGateway(HttpGatewayOptions options)
    : options_(std::move(options)),
      authorization_("Basic " + platform::base64_encode(options_.secret + ":")),
      client_(options_.endpoint, options_.http),
      breaker_(options_.breaker) {}

std::chrono::milliseconds HttpGateway::backoff_before(int attempt) {
  // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a
  // uniform wait in [0, base * 2^(attempt-2)], so retrying fans do not arrive together.
  thread_local std::mt19937_64 random{std::random_device{}()};
  const auto ceiling = options_.backoff.count() << std::min(attempt - 2, 10);
  return std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, ceiling)(random));
}

HttpGateway::Exchange HttpGateway::send(const char* method, const std::string& target,
                                        const std::string& idempotency_key, const std::string& body) {
  platform::HttpHeaders headers{{"Authorization", authorization_}, {"Content-Type", "application/json"}};
  if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
  // The request that caused the call, if any: the gateway's logs join the fan's trace (SPEC §6).
  if (auto traceparent = platform::outgoing_traceparent(); !traceparent.empty())
    headers.emplace_back("traceparent", std::move(traceparent));
  bool maybe_reached = false;
  std::string last;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(backoff_before(attempt));
    if (!breaker_.allow(CircuitBreaker::Clock::now())) {
      last = "the gateway's circuit breaker is open after repeated failures";
      break;
    }
    auto answer = client_.call(method, target, headers, body);
    if (answer && answer->status < 500) {
      breaker_.succeeded();
      return {std::move(*answer), {}};
    }
    breaker_.failed(CircuitBreaker::Clock::now());
    if (answer) {
      maybe_reached = true;
      last = "the gateway answered " + std::to_string(answer->status);
    } else {
      maybe_reached = maybe_reached || answer.error().maybe_sent;
      last = answer.error().detail;
    }
    spdlog::warn("payment gateway {} {} attempt {}/{} failed: {}", method, target, attempt, options_.attempts, last);
  }
  return {std::nullopt, {maybe_reached ? GatewayOutcome::Unknown : GatewayOutcome::Unavailable, "", last}};
}

GatewayResult HttpGateway::charge(const ports::ChargeRequest& request) {
  const nlohmann::json body{{"paymentKey", request.idempotency_key},
                            {"orderId", request.idempotency_key},
                            {"amount", request.amount},
                            {"metadata",
                             {{"paymentId", std::to_string(request.payment_id)},
                              {"reservationId", std::to_string(request.reservation_id)},
                              {"userId", request.user_id}}}};
  auto sent = send("POST", "/v1/payments/confirm", request.idempotency_key,
                   body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!sent.answer) return sent.failure;
  const auto j = body_of(*sent.answer);
  const auto code = text(j, "code");
  if (sent.answer->status == 200) return outcome_of_payment(j);
  if (is_decline(*sent.answer, code)) return {GatewayOutcome::Declined, "", text(j, "message")};
  // The order was charged under this key before (an earlier attempt whose answer was lost).
  if (sent.answer->status == 409 && code == "ALREADY_PROCESSED_PAYMENT") return lookup(request.idempotency_key);
  if (sent.answer->status == 401) spdlog::error("the payment gateway refuses concertd's secret (CONCERTD_PG_SECRET)");
  return unknown(*sent.answer, j);
}

GatewayResult HttpGateway::refund(const std::string& idempotency_key, const std::string& gateway_tx_id,
                                  domain::Money amount) {
  const nlohmann::json body{{"cancelReason", idempotency_key}, {"cancelAmount", amount}};
  auto sent = send("POST", "/v1/payments/" + path_segment(gateway_tx_id) + "/cancel", idempotency_key, body.dump());
  if (!sent.answer) return sent.failure;
  const auto j = body_of(*sent.answer);
  const auto code = text(j, "code");
  if (sent.answer->status == 200 && text(j, "status") == "CANCELED") {
    return {GatewayOutcome::Approved, gateway_tx_id, ""};
  }
  if (sent.answer->status == 400 && code == "ALREADY_CANCELED_PAYMENT") {
    return {GatewayOutcome::Approved, gateway_tx_id, "refunded before"};
  }
  if (sent.answer->status == 404 && code == "NOT_FOUND_PAYMENT") {
    return {GatewayOutcome::Declined, gateway_tx_id, "the gateway has no payment " + gateway_tx_id};
  }
  return unknown(*sent.answer, j);
}

GatewayResult HttpGateway::lookup(const std::string& idempotency_key) {
  auto sent = send("GET", "/v1/payments/orders/" + path_segment(idempotency_key), "", "");
  if (!sent.answer) return sent.failure;
  const auto j = body_of(*sent.answer);
  if (sent.answer->status == 200) return outcome_of_payment(j);
  if (sent.answer->status == 404 && text(j, "code") == "NOT_FOUND_PAYMENT") {
    return {GatewayOutcome::NotFound, "", "the gateway never took a charge under " + idempotency_key};
  }
  return unknown(*sent.answer, j);
}

}  // namespace concert::adapters::payments
