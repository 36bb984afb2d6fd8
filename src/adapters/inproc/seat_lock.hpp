// Seat locks of the embedded profile: one process, so a map under a mutex.
#pragma once

#include <map>
#include <mutex>

#include "ports/clock.hpp"
#include "ports/seat_lock.hpp"

namespace concert::adapters::inproc {

class InprocSeatLock final : public ports::SeatLock {
 public:
  explicit InprocSeatLock(const ports::Clock& clock) : clock_(clock) {}
  bool try_lock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner,
                domain::Millis ttl) override;
  void unlock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner) override;

 private:
  struct Holder {
    std::string owner;
    domain::TimePoint until;
  };
  const ports::Clock& clock_;
  std::mutex mutex_;
  std::map<std::pair<domain::Id, domain::Id>, Holder> held_;  // (schedule, seat) -> holder
};

}  // namespace concert::adapters::inproc
