// Wraps the sandbox gateway so a test can act in the middle of a charge (let a
// hold expire, make another fan take the seat, send the gateway's own report of
// the charge before its answer arrives, refund with another key while a refund
// is at the gateway) or make the gateway time out or be unreachable.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "ports/payment_gateway.hpp"

namespace concert::testing {

class HookedGateway final : public ports::PaymentGateway {
 public:
  explicit HookedGateway(std::unique_ptr<ports::PaymentGateway> inner) : inner_(std::move(inner)) {}

  ports::GatewayResult charge(const ports::ChargeRequest& request) override {
    if (before_charge) before_charge();
    if (unknown_outcomes_left > 0) {
      --unknown_outcomes_left;
      if (charge_then_time_out) inner_->charge(request);  // charged, but the answer is lost
      return {ports::GatewayOutcome::Unknown, "", "simulated timeout"};
    }
    auto result = inner_->charge(request);
    if (after_charge) after_charge(request, result);
    return result;
  }
  ports::GatewayResult refund(const std::string& key, const std::string& tx, domain::Money amount) override {
    ++refund_calls;
    if (before_refund) before_refund();
    if (unreachable_refunds_left > 0) {
      --unreachable_refunds_left;
      return {ports::GatewayOutcome::Unknown, "", "simulated outage"};  // never reached the gateway
    }
    if (lost_refund_answers_left > 0) {
      --lost_refund_answers_left;
      inner_->refund(key, tx, amount);  // refunded, but the answer is lost
      return {ports::GatewayOutcome::Unknown, "", "simulated timeout"};
    }
    return inner_->refund(key, tx, amount);
  }
  ports::GatewayResult lookup(const std::string& key) override {
    ++lookup_calls;
    if (unreachable_lookups_left > 0) {
      --unreachable_lookups_left;
      return {ports::GatewayOutcome::Unknown, "", "simulated outage"};
    }
    return inner_->lookup(key);
  }

  std::function<void()> before_charge;
  std::function<void(const ports::ChargeRequest&, const ports::GatewayResult&)> after_charge;
  std::atomic<int> unknown_outcomes_left{0};
  std::function<void()> before_refund;
  std::atomic<int> lost_refund_answers_left{0};
  std::atomic<int> unreachable_refunds_left{0};
  std::atomic<int> refund_calls{0};
  std::atomic<int> unreachable_lookups_left{0};
  std::atomic<int> lookup_calls{0};
  bool charge_then_time_out = true;

 private:
  std::unique_ptr<ports::PaymentGateway> inner_;
};

}  // namespace concert::testing
