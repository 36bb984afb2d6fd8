// In-process seat-map cache for the embedded profile (one instance, so an
// invalidation here is seen by every reader at once).
#pragma once

#include <mutex>
#include <unordered_map>

#include "ports/seat_map_cache.hpp"

namespace concert::adapters::inproc {

class InprocSeatMapCache final : public ports::SeatMapCache {
 public:
  ports::SeatMapPtr get(domain::Id schedule_id) override;
  ports::SeatMapPtr load(domain::Id schedule_id) override { return get(schedule_id); }
  std::uint64_t generation(domain::Id schedule_id) override;
  void put(domain::Id schedule_id, std::uint64_t generation, ports::SeatMapPtr map) override;
  void invalidate(domain::Id schedule_id) override;

 private:
  struct Slot {
    std::uint64_t generation = 0;
    ports::SeatMapPtr map;
  };
  std::mutex mutex_;
  std::unordered_map<domain::Id, Slot> slots_;
};

}  // namespace concert::adapters::inproc
