#include "app/schedule_directory.hpp"

namespace concert::app {

ScheduleDirectory::ScheduleDirectory(AppContext& ctx, domain::Millis max_age) : ctx_(ctx), max_age_(max_age) {}

void ScheduleDirectory::refresh_if_stale() {
  const auto now = ctx_.clock.now();
  {
    std::lock_guard lock(mutex_);
    if (loaded_ && (now < next_refresh_ || refreshing_)) return;
    refreshing_ = loaded_;
  }
  std::unordered_map<domain::Id, domain::Schedule> fresh;
  try {
    auto tx = ctx_.store.begin(ports::TxMode::Read);
    for (auto& s : tx->list_all_schedules()) fresh.emplace(s.id, std::move(s));
  } catch (const ports::StoreUnavailable&) {
    std::lock_guard lock(mutex_);
    refreshing_ = false;
    if (!loaded_) throw;  // nothing to serve instead
    next_refresh_ = now + std::chrono::seconds(1);
    return;
  }
  std::lock_guard lock(mutex_);
  schedules_ = std::move(fresh);
  loaded_ = true;
  refreshing_ = false;
  next_refresh_ = now + max_age_;
}

std::optional<domain::Schedule> ScheduleDirectory::find(domain::Id schedule_id) {
  refresh_if_stale();
  std::lock_guard lock(mutex_);
  auto it = schedules_.find(schedule_id);
  if (it != schedules_.end()) return it->second;
  return std::nullopt;
}

std::vector<domain::Schedule> ScheduleDirectory::all() {
  refresh_if_stale();
  std::lock_guard lock(mutex_);
  std::vector<domain::Schedule> out;
  out.reserve(schedules_.size());
  for (const auto& [id, s] : schedules_) out.push_back(s);
  return out;
}

std::optional<domain::Schedule> ScheduleDirectory::peek(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  auto it = schedules_.find(schedule_id);
  if (it != schedules_.end()) return it->second;
  return std::nullopt;
}

void ScheduleDirectory::forget() {
  std::lock_guard lock(mutex_);
  loaded_ = false;  // every reader reads the database until one has: the change shows at once
}

}  // namespace concert::app
