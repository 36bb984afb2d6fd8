// The payment gateway (PG). Every call carries an idempotency key: the server
// passes its own payment id, so a retry after a timeout cannot charge twice (I3).
#pragma once

#include <string>

#include "domain/types.hpp"

namespace concert::ports {

// (app/kpis.cpp names them in this order.)
enum class GatewayOutcome {
  Approved,
  Declined,     // definitive: the card was refused (a refund: there is nothing to refund)
  Unknown,      // timeout or transport error: it may or may not have happened; retry with the same key
  Unavailable,  // not sent (the circuit breaker is open, or no connection): it certainly did not happen
  NotFound,     // a look-up only: the gateway never saw a charge under the key
};

struct GatewayResult {
  GatewayOutcome outcome = GatewayOutcome::Unknown;
  std::string gateway_tx_id;
  std::string reason;
};

struct ChargeRequest {
  std::string idempotency_key;
  domain::Money amount = 0;
  domain::UserId user_id;
  domain::Id reservation_id = 0;
  domain::Id payment_id = 0;  // echoed in the gateway's callbacks
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  virtual GatewayResult charge(const ChargeRequest& request) = 0;
  virtual GatewayResult refund(const std::string& idempotency_key, const std::string& gateway_tx_id,
                               domain::Money amount) = 0;
  // What became of the charge made under `idempotency_key` (the reconciler's
  // question for a PENDING payment whose answer was lost): Approved or Declined
  // as it was decided, NotFound if the gateway never took it.
  virtual GatewayResult lookup(const std::string& idempotency_key) = 0;
};

}  // namespace concert::ports
