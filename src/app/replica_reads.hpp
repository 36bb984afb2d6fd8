// A read replica for the catalogue and seat maps (SPEC §8), used only while it is
// fresh: its copy of this instance's heartbeat row (written to the primary every
// heartbeat_interval) is at most max_lag plus that interval old, the way
// pt-heartbeat measures lag, so it needs no replication privilege and works on
// MySQL and MariaDB alike. begin() refuses (StoreUnavailable) when the replica is
// down or behind, and the caller reads the primary instead. Holds and payments
// never come here: availability is decided on the primary (SPEC §5).
#pragma once

#include <atomic>
#include <mutex>

#include "app/context.hpp"

namespace concert::app {

class ReplicaReads : public ports::Store {
 public:
  // `max_age`: the allowed lag plus the heartbeat interval (a row that old is fresh).
  ReplicaReads(std::unique_ptr<ports::Store> replica, const ports::Clock& clock, std::string instance_id,
               std::chrono::milliseconds max_age);

  // Read transactions only.
  std::unique_ptr<ports::Tx> begin(ports::TxMode mode) override;

 private:
  static constexpr std::chrono::milliseconds kProbeEvery{250};
  bool fresh();

  std::unique_ptr<ports::Store> replica_;
  const ports::Clock& clock_;
  std::string instance_id_;
  std::chrono::milliseconds max_age_;
  std::mutex probing_;  // one probe at a time; meanwhile the others take the last verdict
  domain::TimePoint probed_at_{};
  std::atomic<bool> fresh_{false};
};

}  // namespace concert::app
