// Schedules change rarely (admin setup, queue tuning) but are read on every queue
// entry and every promotion tick, so they are cached in memory for a short time.
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
  std::optional<domain::TimePoint> loaded_at_;
  std::unordered_map<domain::Id, domain::Schedule> schedules_;
};

}  // namespace concert::app
