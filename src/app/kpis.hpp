// SPEC §6 KPIs, recorded by the use cases and workers, exposed by /metrics and
// /admin/kpis. Handles are resolved once so the hot path is an atomic add.
#pragma once

#include <array>
#include <chrono>
#include <string>

#include "domain/types.hpp"
#include "platform/metrics.hpp"
#include "ports/payment_gateway.hpp"

namespace concert::app {

// Seconds; the buckets of concertd_queue_wait_seconds.
const std::vector<double>& queue_wait_buckets();

struct Kpis {
  explicit Kpis(platform::Registry& registry);

  platform::Registry& registry;
  platform::Counter& promotions;
  platform::Histogram& queue_wait_seconds;
  platform::Counter& holds_created;
  platform::Counter& holds_expired;
  platform::Counter& payments_approved;
  platform::Counter& payments_failed;  // declined, voided or gateway unknown
  platform::Counter& idempotency_requests;
  platform::Counter& idempotency_conflicts;  // 409 in flight + 422 reused
  platform::Counter& events_published;
  platform::Gauge&
      oldest_unsettled_seconds;  // the oldest PENDING, REFUND_PENDING or VOID_PENDING payment (lease holder)
  platform::Gauge& oldest_unpublished_seconds;  // the oldest outbox event not yet published (relay)
  platform::Gauge& ready;                       // 1 while /readyz answers 200
  // Violations the continuous auditor found (SPEC §6), each counted once, by
  // invariant ("I1".."I6"); every series exists from the start at 0.
  platform::Counter& invariant_violations(const std::string& invariant);
  // Payments the reconciler settled, by the state it left them in.
  platform::Counter& reconciled(domain::PaymentStatus outcome);
  // One call to the payment gateway, its outcome and how long it took (retries included).
  enum class GatewayCall { Charge, Refund, Lookup };
  void gateway_call(GatewayCall call, ports::GatewayOutcome outcome, std::chrono::steady_clock::duration took);

 private:
  static constexpr std::size_t kCalls = 3, kOutcomes = 5;  // GatewayCall, ports::GatewayOutcome
  std::array<std::array<platform::Counter*, kOutcomes>, kCalls> gateway_calls_{};
  std::array<platform::Histogram*, kCalls> gateway_seconds_{};
  std::array<platform::Counter*, 6> violations_{};  // I1..I6
};

}  // namespace concert::app
