#include "app/schedule_directory.hpp"

namespace concert::app {

ScheduleDirectory::ScheduleDirectory(AppContext& ctx, domain::Millis max_age) : ctx_(ctx), max_age_(max_age) {}

void ScheduleDirectory::refresh_if_stale() {
  const auto now = ctx_.clock.now();
  if (loaded_at_ && now - *loaded_at_ < max_age_) return;
  auto tx = ctx_.store.begin(ports::TxMode::Read);
  std::unordered_map<domain::Id, domain::Schedule> fresh;
  for (auto& s : tx->list_all_schedules()) fresh.emplace(s.id, std::move(s));
  schedules_ = std::move(fresh);
  loaded_at_ = now;
}

std::optional<domain::Schedule> ScheduleDirectory::find(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  refresh_if_stale();
  auto it = schedules_.find(schedule_id);
  if (it != schedules_.end()) return it->second;
  return std::nullopt;
}

std::vector<domain::Schedule> ScheduleDirectory::all() {
  std::lock_guard lock(mutex_);
  refresh_if_stale();
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
  loaded_at_.reset();
}

}  // namespace concert::app
