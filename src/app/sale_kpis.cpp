#include "app/sale_kpis.hpp"

#include "app/kpis.hpp"

namespace concert::app {

SaleKpis sale_kpis(ports::Store& store, ports::QueueStore& queue, const std::vector<domain::Id>& schedule_ids) {
  SaleKpis k;
  k.totals = store.begin(ports::TxMode::Read)->sale_totals();
  platform::Histogram waits(queue_wait_buckets());
  constexpr int kPage = 10'000;
  for (const auto id : schedule_ids) {
    // The log is bounded (ports::kAdmissionLogSize), so this loop is too.
    for (std::int64_t after = 0;;) {
      const auto page = queue.admissions(id, after, kPage);
      for (const auto& a : page) {
        waits.observe(std::chrono::duration<double>(a.admitted_at - a.entered_at).count());
        after = a.seq;
      }
      if (page.size() < static_cast<std::size_t>(kPage)) break;
    }
  }
  k.promotions = static_cast<std::int64_t>(waits.count());
  k.average_wait_seconds = k.promotions > 0 ? waits.sum() / static_cast<double>(k.promotions) : 0.0;
  k.p95_wait_seconds = waits.quantile(0.95);
  return k;
}

}  // namespace concert::app
