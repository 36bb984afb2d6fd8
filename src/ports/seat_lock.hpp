// Short locks on the seats a hold asks for, taken before the database so that a
// crowd clicking the same seats is turned away without each costing a write
// transaction (SPEC §2: the lock only sheds contention; correctness never rests
// on it, the conditional UPDATE in the database decides).
#pragma once

#include <span>
#include <string>

#include "domain/types.hpp"

namespace concert::ports {

class SeatLock {
 public:
  virtual ~SeatLock() = default;
  // Locks every seat for `owner` until `ttl` passes, all or nothing; false if
  // another owner holds any of them.
  virtual bool try_lock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner,
                        domain::Millis ttl) = 0;
  // Releases the seats that `owner` still holds (a lock that expired and was
  // taken by someone else stays theirs).
  virtual void unlock(domain::Id schedule_id, std::span<const domain::Id> seat_ids, const std::string& owner) = 0;
};

}  // namespace concert::ports
