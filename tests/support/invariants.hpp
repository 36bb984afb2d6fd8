// SPEC §5 invariants checked from the outside: the store's rows, the event sink
// and the payment gateway's ledger. Each check returns the violations it found
// (empty = held), worded so a failure names the offending rows.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "ports/store.hpp"

namespace concert::testing {

struct InvariantReport {
  std::vector<std::string> violations;
  bool ok() const { return violations.empty(); }
  std::string describe() const;
};

struct InvariantInputs {
  ports::Store* store = nullptr;
  std::vector<domain::Id> schedule_ids;
  std::string ledger_path;                   // sandbox gateway ledger (I3); empty to skip
  std::set<std::string> published_event_ids;  // what reached the sink (I4)
  bool require_all_published = true;
  std::optional<domain::TimePoint> now;  // for I6: no HELD reservation past expiry + grace
  domain::Millis expiry_grace{2000};
};

InvariantReport check_invariants(const InvariantInputs& in);

// Event ids found in a JSON-lines sink file (the embedded sink).
std::set<std::string> read_jsonl_event_ids(const std::string& path);

}  // namespace concert::testing
