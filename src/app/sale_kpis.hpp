// The KPIs of SPEC §6 for the whole sale, not one instance: counted from the
// database's rows and the queue's shared admission logs, whatever instance did
// the work (/admin/kpis). The metrics of /metrics stay per instance; Prometheus
// sums them (deploy/prometheus/recording.yml) to the same figures.
#pragma once

#include <vector>

#include "ports/queue_store.hpp"
#include "ports/store.hpp"

namespace concert::app {

struct SaleKpis {
  ports::SaleTotals totals;
  std::int64_t promotions = 0;  // admissions in the schedules' logs
  double average_wait_seconds = 0;
  // Estimated over the buckets of concertd_queue_wait_seconds as Prometheus'
  // histogram_quantile does, so the dashboard and this answer agree.
  double p95_wait_seconds = 0;
};

SaleKpis sale_kpis(ports::Store& store, ports::QueueStore& queue, const std::vector<domain::Id>& schedule_ids);

}  // namespace concert::app
