// SPEC §5 invariants checked from the outside: the store's rows, the event sink
// and the payment gateway's ledgers. Used by the tests and by concert-rush after
// every run. I5 needs the admission log and lives in audit/admissions.hpp.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/report.hpp"
#include "ports/store.hpp"

namespace concert::audit {

struct InvariantInputs {
  ports::Store* store = nullptr;
  std::vector<domain::Id> schedule_ids;
  // Gateway ledgers (I3; audit/ledger.hpp): sandbox files, one per instance, or
  // concert-pgsim URLs; a key charged in two of them counts twice. Empty to skip I3.
  std::vector<std::string> ledger_paths;
  std::set<std::string> published_event_ids;  // what reached the sink (I4)
  bool require_all_published = true;
  std::optional<domain::TimePoint> now;  // for I6: no HELD reservation past expiry + grace
  domain::Millis expiry_grace{2000};
};

// Checks I1, I2, I3 (when ledgers are given), I4 and I6 (when `now` is given).
InvariantReport check_invariants(const InvariantInputs& in);

}  // namespace concert::audit
