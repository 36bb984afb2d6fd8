#include "bench/rush/sale_counters.hpp"

#include <algorithm>

namespace concert::bench::rush {

void SaleCounters::merge(const SaleCounters& o) {
  fans_started += o.fans_started;
  entered += o.entered;
  admitted += o.admitted;
  holds += o.holds;
  seat_taken += o.seat_taken;
  sales += o.sales;
  declined += o.declined;
  abandoned += o.abandoned;
  hold_expired_on_pay += o.hold_expired_on_pay;
  cancels += o.cancels;
  refunds += o.refunds;
  gave_up += o.gave_up;
  duplicate_clicks += o.duplicate_clicks;
  key_retries += o.key_retries;
  fan_errors += o.fan_errors;
  queue_wait_ms.merge(o.queue_wait_ms);
  if (o.first_admission)
    first_admission = first_admission ? std::min(*first_admission, *o.first_admission) : o.first_admission;
  if (o.last_admission)
    last_admission = last_admission ? std::max(*last_admission, *o.last_admission) : o.last_admission;
}

}  // namespace concert::bench::rush
