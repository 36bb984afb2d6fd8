// SPEC §6 KPIs, recorded by the use cases and workers, exposed by /metrics and
// /admin/kpis. Handles are resolved once so the hot path is an atomic add.
#pragma once

#include "domain/types.hpp"
#include "platform/metrics.hpp"

namespace concert::app {

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
  // Payments the reconciler settled, by the state it left them in.
  platform::Counter& reconciled(domain::PaymentStatus outcome);
};

}  // namespace concert::app
