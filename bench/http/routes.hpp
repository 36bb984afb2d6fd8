// The concertd endpoints the benchmarks call (concert-rush all of them,
// concert-holdpay a few), each labelled by method and path template as
// the server's own metrics label them, and what was seen per endpoint.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string_view>

#include "bench/http/histogram.hpp"

namespace concert::bench {

enum class Route {
  CreateConcert,
  CreateSchedule,
  SeatMap,
  EnterQueue,
  QueueStatus,
  LeaveQueue,
  Hold,
  CancelHold,
  Pay,
  Refund,
  Admissions,
};
inline constexpr std::size_t kRouteCount = static_cast<std::size_t>(Route::Admissions) + 1;

std::string_view route_label(Route route);

// Why a request got no HTTP answer.
enum class Failure {
  None,
  Timeout,  // the client gave up (its timeout, or a fan's deliberate impatience)
  Connect,  // no connection could be opened
  Io,       // the connection broke mid-exchange
  Stopped,  // the run's deadline cancelled it
};
std::string_view failure_label(Failure failure);

struct RouteStats {
  std::uint64_t requests = 0;
  std::map<int, std::uint64_t> statuses;      // answered requests by HTTP status
  std::map<Failure, std::uint64_t> failures;  // unanswered requests by reason
  LogHistogram latency_us;                    // answered requests only
};

class StatsBook {
 public:
  void record(Route route, int status, Failure failure, std::chrono::microseconds latency);
  void merge(const StatsBook& other);
  const RouteStats& of(Route route) const { return routes_[static_cast<std::size_t>(route)]; }
  std::uint64_t count_5xx() const;
  std::uint64_t count_status(int status) const;

 private:
  std::array<RouteStats, kRouteCount> routes_;
};

}  // namespace concert::bench
