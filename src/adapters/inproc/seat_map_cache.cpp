#include "adapters/inproc/seat_map_cache.hpp"

namespace concert::adapters::inproc {

ports::SeatMapPtr InprocSeatMapCache::get(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(schedule_id);
  if (it == slots_.end()) return nullptr;
  return it->second.map;
}

std::uint64_t InprocSeatMapCache::generation(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  return slots_[schedule_id].generation;
}

void InprocSeatMapCache::put(domain::Id schedule_id, std::uint64_t generation, ports::SeatMapPtr map) {
  std::lock_guard lock(mutex_);
  Slot& slot = slots_[schedule_id];
  if (slot.generation == generation) slot.map = std::move(map);
}

void InprocSeatMapCache::invalidate(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  Slot& slot = slots_[schedule_id];
  ++slot.generation;
  slot.map.reset();
}

}  // namespace concert::adapters::inproc
