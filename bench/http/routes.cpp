#include "bench/http/routes.hpp"

#include <algorithm>

namespace concert::bench {

std::string_view route_label(Route route) {
  switch (route) {
    case Route::CreateConcert:
      return "POST /api/v1/admin/concerts";
    case Route::CreateSchedule:
      return "POST /api/v1/admin/concerts/{id}/schedules";
    case Route::SeatMap:
      return "GET /api/v1/schedules/{id}/seats";
    case Route::EnterQueue:
      return "POST /api/v1/schedules/{id}/queue";
    case Route::QueueStatus:
      return "GET /api/v1/queue/status";
    case Route::LeaveQueue:
      return "DELETE /api/v1/queue";
    case Route::Hold:
      return "POST /api/v1/reservations";
    case Route::CancelHold:
      return "DELETE /api/v1/reservations/{id}";
    case Route::Pay:
      return "POST /api/v1/payments";
    case Route::Refund:
      return "POST /api/v1/payments/{id}/refund";
    case Route::Admissions:
      return "GET /api/v1/admin/schedules/{id}/admissions";
  }
  return "?";
}

std::string_view failure_label(Failure failure) {
  switch (failure) {
    case Failure::None:
      return "none";
    case Failure::Timeout:
      return "client-timeout";
    case Failure::Connect:
      return "connect-error";
    case Failure::Io:
      return "io-error";
    case Failure::Stopped:
      return "stopped";
  }
  return "?";
}

void StatsBook::record(Route route, int status, Failure failure, std::chrono::microseconds latency) {
  auto& r = routes_[static_cast<std::size_t>(route)];
  ++r.requests;
  if (failure != Failure::None) {
    ++r.failures[failure];
    return;
  }
  ++r.statuses[status];
  r.latency_us.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count())));
}

void StatsBook::merge(const StatsBook& other) {
  for (std::size_t i = 0; i < kRouteCount; ++i) {
    auto& mine = routes_[i];
    const auto& theirs = other.routes_[i];
    mine.requests += theirs.requests;
    for (const auto& [status, n] : theirs.statuses) mine.statuses[status] += n;
    for (const auto& [failure, n] : theirs.failures) mine.failures[failure] += n;
    mine.latency_us.merge(theirs.latency_us);
  }
}

std::uint64_t StatsBook::count_status(int status) const {
  std::uint64_t n = 0;
  for (const auto& r : routes_) {
    if (const auto it = r.statuses.find(status); it != r.statuses.end()) n += it->second;
  }
  return n;
}

std::uint64_t StatsBook::count_5xx() const {
  std::uint64_t n = 0;
  for (const auto& r : routes_) {
    for (const auto& [status, count] : r.statuses) {
      if (status >= 500) n += count;
    }
  }
  return n;
}

}  // namespace concert::bench
