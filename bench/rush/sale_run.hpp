// Plays the sale: every fan as a coroutine, spread over one or two IO threads
// that share nothing but the sale's signals (each has its own connections,
// counters and seat-map cache, merged at the end).
#pragma once

#include <optional>
#include <string>

#include "bench/http/routes.hpp"
#include "bench/rush/history_recorder.hpp"
#include "bench/rush/options.hpp"
#include "bench/rush/sale_counters.hpp"
#include "bench/rush/sale_setup.hpp"

namespace concert::bench::rush {

struct SaleOutcome {
  StatsBook stats;
  SaleCounters counters;
  std::chrono::duration<double> elapsed{0};  // first arrival -> last fan done
  std::optional<std::chrono::duration<double>> sold_out_after;
  bool hit_deadline = false;  // fans were still at it when the duration ran out
};

// Returns when every fan is done, or at `deadline` at the latest (in-flight
// requests are cancelled then). Every fan request goes to `history` when set.
SaleOutcome run_sale(const RushOptions& options, const Sale& sale, const std::string& run_id,
                     Clock::time_point deadline, HistoryRecorder* history);

}  // namespace concert::bench::rush
