// One fan's whole visit, as a coroutine: enter the queue, poll until ACTIVE,
// hold seats (trying others when someone was faster), then pay, cancel, abandon
// the hold, or pay and ask for a refund. Consecutive steps go to different
// instances on purpose, and requests with an Idempotency-Key are sometimes sent
// twice at once (double click) or given up early and sent again (client timeout).
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "bench/http/host_pool.hpp"
#include "bench/rush/history_recorder.hpp"
#include "bench/rush/options.hpp"
#include "bench/rush/sale_counters.hpp"
#include "bench/rush/sale_setup.hpp"
#include "bench/rush/sale_signals.hpp"
#include "bench/rush/seat_map.hpp"

namespace concert::bench::rush {

// The last seat map an IO thread's fans saw, so a re-read can say If-None-Match.
struct SeatMapCache {
  std::string etag;
  std::shared_ptr<const SeatMap> map;
};

// Everything a fan of one IO thread uses; lives as long as that thread's run.
struct FanEnv {
  const RushOptions& options;
  const Sale& sale;
  const std::string& run_id;
  SaleSignals& signals;
  std::vector<HostPool*> pools;  // one per URL
  SaleCounters& counters;
  SeatMapCache& seat_maps;
  HistoryRecorder* history = nullptr;  // --history: every request recorded
};

boost::asio::awaitable<void> run_fan(FanEnv& env, int index);

}  // namespace concert::bench::rush
