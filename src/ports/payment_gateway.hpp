// The payment gateway (PG). Every call carries an idempotency key: the server
// passes its own payment id, so a retry after a timeout cannot charge twice (I3).
#pragma once

#include <string>

#include "domain/types.hpp"

namespace concert::ports {

enum class GatewayOutcome {
  Approved,
  Declined,  // definitive: the card was refused
  Unknown,   // timeout or transport error: the charge may or may not exist; retry with the same key
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
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  virtual GatewayResult charge(const ChargeRequest& request) = 0;
  virtual GatewayResult refund(const std::string& idempotency_key, const std::string& gateway_tx_id,
                               domain::Money amount) = 0;
};

}  // namespace concert::ports
