#include "bootstrap/invariant_auditor.hpp"

#include "audit/invariants.hpp"
#include "platform/logging.hpp"

namespace concert::bootstrap {

int InvariantAuditor::tick() {
  const auto now = ctx_.clock.now();
  audit::InvariantInputs in;
  in.store = &ctx_.store;
  for (const auto& s : schedules_.all()) {
    if (s.sales_close_at + std::chrono::hours(1) > now) in.schedule_ids.push_back(s.id);
  }
  if (in.schedule_ids.empty()) return 0;
  if (!ledger_.empty()) in.ledger_paths = {ledger_};
  in.require_all_published = false;  // the relay is seconds behind; its backlog has an alert of its own
  in.now = now;
  int found = 0;
  for (const auto& v : audit::check_invariants(in).violations) {
    if (!seen_.insert(v.invariant + "|" + v.detail).second) continue;
    ++found;
    ctx_.kpis.invariant_violations(v.invariant).inc();
    platform::log_json(spdlog::level::err,
                       {{"msg", "invariant violated"}, {"invariant", v.invariant}, {"detail", v.detail}});
    if (seen_.size() >= kRemembered) seen_.clear();
  }
  return found;
}

}  // namespace concert::bootstrap
