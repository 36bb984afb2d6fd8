#include "adapters/inproc/seat_lock.hpp"

namespace concert::adapters::inproc {

bool InprocSeatLock::try_lock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner,
                              domain::Millis ttl) {
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  for (auto seat : seat_ids) {
    auto it = held_.find({schedule_id, seat});
    if (it != held_.end() && it->second.until > now && it->second.owner != owner) return false;
  }
  for (auto seat : seat_ids) held_[{schedule_id, seat}] = {owner, now + ttl};
  return true;
}

void InprocSeatLock::unlock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner) {
  std::lock_guard lock(mutex_);
  for (auto seat : seat_ids) {
    auto it = held_.find({schedule_id, seat});
    if (it != held_.end() && it->second.owner == owner) held_.erase(it);
  }
}

}  // namespace concert::adapters::inproc
