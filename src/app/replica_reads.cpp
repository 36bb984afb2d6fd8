#include "app/replica_reads.hpp"

#include <spdlog/spdlog.h>

namespace concert::app {

ReplicaReads::ReplicaReads(std::unique_ptr<ports::Store> replica, const ports::Clock& clock, std::string instance_id,
                           std::chrono::milliseconds max_age)
    : replica_(std::move(replica)), clock_(clock), instance_id_(std::move(instance_id)), max_age_(max_age) {}

std::unique_ptr<ports::Tx> ReplicaReads::begin(ports::TxMode mode) {
  if (mode != ports::TxMode::Read) throw std::logic_error("a read replica takes no writes");
  if (!fresh()) throw ports::StoreUnavailable("the read replica is down or behind");
  return replica_->begin(mode);
}

bool ReplicaReads::fresh() {
  std::unique_lock lock(probing_, std::try_to_lock);
  if (!lock) return fresh_;  // a probe is on its way (up to a connect timeout, if the replica is down)
  const auto now = clock_.now();
  if (now - probed_at_ < kProbeEvery) return fresh_;
  probed_at_ = now;
  bool fresh = false;
  try {
    const auto seen = replica_->begin(ports::TxMode::Read)->last_heartbeat(instance_id_);
    fresh = seen && now - *seen <= max_age_;
  } catch (const std::exception&) {
    fresh = false;  // unreachable, or not a replica of ours yet (no schema): the primary answers
  }
  if (fresh != fresh_)
    spdlog::warn("read replica {}", fresh ? "in use again" : "down or behind: reads go to the primary");
  fresh_ = fresh;
  return fresh_;
}

}  // namespace concert::app
