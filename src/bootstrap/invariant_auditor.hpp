// The continuous invariant auditor of SPEC §6: on the lease holder, every
// audit_interval_ms, checks I1, I2, I4 (each change's events all there, in
// version order) and I6 over the schedules on sale or closed within the last
// hour, and I3 against the sandbox gateway's ledger when that is the gateway
// (a real gateway's ledger is not ours to read). Each violation found is logged
// and counted once in concertd_invariant_violations_total{invariant}, so a
// lasting one does not count up every round and an alert on increase() pages once.
#pragma once

#include <set>
#include <string>

#include "app/context.hpp"
#include "app/schedule_directory.hpp"

namespace concert::bootstrap {

class InvariantAuditor {
 public:
  // `ledger`: the sandbox gateway's ledger file; empty to leave I3 out.
  InvariantAuditor(app::AppContext& ctx, app::ScheduleDirectory& schedules, std::string ledger)
      : ctx_(ctx), schedules_(schedules), ledger_(std::move(ledger)) {}
  // Returns the violations first seen this round.
  int tick();

 private:
  static constexpr std::size_t kRemembered = 10'000;  // bounds seen_; past it, repeats may count again

  app::AppContext& ctx_;
  app::ScheduleDirectory& schedules_;
  std::string ledger_;
  std::set<std::string> seen_;
};

}  // namespace concert::bootstrap
