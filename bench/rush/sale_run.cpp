#include "bench/rush/sale_run.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "bench/rush/fan.hpp"

namespace concert::bench::rush {

namespace asio = boost::asio;

namespace {

// How long past the deadline a thread may take to wind down before the tool
// gives up on it; cancelled requests and clipped pauses end within milliseconds.
constexpr auto kWindDown = std::chrono::seconds(5);

// One IO thread's share of the sale.
class Shard {
 public:
  Shard(const RushOptions& o, const Sale& sale, const std::string& run_id, SaleSignals& signals, int connections,
        HistoryRecorder* history)
      : ioc_(1), stop_timer_(ioc_, signals.deadline()), seat_maps_(), env_{o,  sale,      run_id,     signals,
                                                                           {}, counters_, seat_maps_, history} {
    for (const auto& url : o.urls) {
      pools_.push_back(std::make_unique<HostPool>(ioc_, *parse_base_url(url), connections, stats_, "concert-rush"));
      env_.pools.push_back(pools_.back().get());
    }
  }

  void add_fan(int index) {
    ++live_fans_;
    asio::co_spawn(ioc_, run_fan(env_, index), [this](std::exception_ptr error) {
      if (error) report_fan_error(error);
      if (--live_fans_ == 0) stop_timer_.cancel();  // all done early: nothing left to stop
    });
  }

  // Runs this shard's fans; true if the deadline cut them short.
  bool run() {
    stop_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled: every fan finished in time
      deadline_hit_ = true;
      for (auto& p : pools_) p->shut_down();
    });
    ioc_.run_until(env_.signals.deadline() + kWindDown);
    if (!ioc_.stopped()) {
      // Every wait is clipped to the deadline, so this means a bug in the tool;
      // the coroutines still reference this shard, so it cannot be torn down.
      std::cerr << "concert-rush: " << live_fans_ << " fans still running " << kWindDown.count()
                << " s after the deadline; giving up\n";
      std::_Exit(3);
    }
    return deadline_hit_;
  }

  const StatsBook& stats() const { return stats_; }
  const SaleCounters& counters() const { return counters_; }

 private:
  void report_fan_error(std::exception_ptr error) {
    if (counters_.fan_errors++ > 0) return;  // the first one tells the story
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::cerr << "concert-rush: a fan failed: " << e.what() << "\n";
    }
  }

  asio::io_context ioc_;
  asio::steady_timer stop_timer_;
  StatsBook stats_;
  SaleCounters counters_;
  SeatMapCache seat_maps_;
  std::vector<std::unique_ptr<HostPool>> pools_;
  FanEnv env_;
  int live_fans_ = 0;
  bool deadline_hit_ = false;
};

}  // namespace

SaleOutcome run_sale(const RushOptions& o, const Sale& sale, const std::string& run_id, Clock::time_point deadline,
                     HistoryRecorder* history) {
  SaleSignals signals(Clock::now(), deadline);
  const int threads = o.io_threads;
  const int connections_each = (o.connections + threads - 1) / threads;
  std::vector<std::unique_ptr<Shard>> shards;
  for (int t = 0; t < threads; ++t) {
    shards.push_back(std::make_unique<Shard>(o, sale, run_id, signals, connections_each, history));
  }
  for (int i = 0; i < o.users; ++i) shards[static_cast<std::size_t>(i % threads)]->add_fan(i);

  std::vector<char> hit(static_cast<std::size_t>(threads), 0);
  {
    std::vector<std::jthread> workers;
    for (int t = 1; t < threads; ++t) {
      workers.emplace_back([&, t] { hit[static_cast<std::size_t>(t)] = shards[static_cast<std::size_t>(t)]->run(); });
    }
    hit[0] = shards[0]->run();
  }

  SaleOutcome out;
  out.elapsed = Clock::now() - signals.start();
  if (const auto after = signals.sold_out_after()) out.sold_out_after = *after;
  for (std::size_t t = 0; t < shards.size(); ++t) {
    out.stats.merge(shards[t]->stats());
    out.counters.merge(shards[t]->counters());
    out.hit_deadline = out.hit_deadline || hit[t];
  }
  return out;
}

}  // namespace concert::bench::rush
