// Schedules change rarely (admin setup, queue tuning) but are read on every queue
// entry and every promotion tick, so they are cached in memory for a short time.
// While the database cannot be read, the last copy is served (queue entry needs
// only Redis then) and the database is asked again once a second; the read runs
// outside the lock, so callers with a copy never wait on a stalled database.
#pragma once

#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "app/context.hpp"

namespace concert::app {

class ScheduleDirectory {
 public:
  explicit ScheduleDirectory(AppContext& ctx, domain::Millis max_age = std::chrono::seconds(1));

  std::optional<domain::Schedule> find(domain::Id schedule_id);
  std::vector<domain::Schedule> all();
  // Memory only, never the database: for the queue poll, which must not block.
  std::optional<domain::Schedule> peek(domain::Id schedule_id);
  void forget();  // after an admin change, so it is seen at once

 private:
  void refresh_if_stale();

  AppContext& ctx_;
  domain::Millis max_age_;
  std::mutex mutex_;
  bool loaded_ = false;
  bool refreshing_ = false;           // one reader of the database at a time, while a copy exists
  domain::TimePoint next_refresh_{};  // fresh until then
  std::unordered_map<domain::Id, domain::Schedule> schedules_;
};

}  // namespace concert::app
