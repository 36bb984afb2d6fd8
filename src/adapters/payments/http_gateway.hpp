// The payment gateway over HTTP, speaking the API of Toss Payments' v1 Core API
// (confirm, cancel, look-up by order id; docs/payment-gateway.md has the
// mapping). Each call: connect and total timeouts per attempt, up to `attempts`
// attempts under the same Idempotency-Key with exponential backoff and full
// jitter, behind a circuit breaker that answers Unavailable at once while the
// gateway is down. Calls block their thread (the payments pool's), never a
// database connection.
#pragma once

#include <chrono>
#include <string>

#include "adapters/payments/circuit_breaker.hpp"
#include "platform/http_client.hpp"
#include "ports/payment_gateway.hpp"

namespace concert::adapters::payments {

struct HttpGatewayOptions {
  platform::HttpEndpoint endpoint;
  std::string secret;  // Toss' secret key: Authorization: Basic base64(secret + ":")
  platform::HttpClientOptions http;
  int attempts = 3;
  std::chrono::milliseconds backoff{100};
  CircuitBreaker::Options breaker;
};

class HttpGateway final : public ports::PaymentGateway {
 public:
  explicit HttpGateway(HttpGatewayOptions options);

  ports::GatewayResult charge(const ports::ChargeRequest& request) override;
  ports::GatewayResult refund(const std::string& idempotency_key, const std::string& gateway_tx_id,
                              domain::Money amount) override;
  ports::GatewayResult lookup(const std::string& idempotency_key) override;

  CircuitBreaker::State breaker_state() const { return breaker_.state(CircuitBreaker::Clock::now()); }

 private:
  // The gateway's answer (any status below 500), or the outcome to give when
  // none came: Unavailable if no attempt can have reached it, else Unknown.
  struct Exchange {
    std::optional<platform::HttpAnswer> answer;
    ports::GatewayResult failure;
  };
  Exchange send(const char* method, const std::string& target, const std::string& idempotency_key,
                const std::string& body);
  std::chrono::milliseconds backoff_before(int attempt);

  HttpGatewayOptions options_;
  std::string authorization_;
  platform::HttpClient client_;
  mutable CircuitBreaker breaker_;
};

}  // namespace concert::adapters::payments
