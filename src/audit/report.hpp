// What an invariant check found: one entry per offending row, tagged with the
// SPEC §5 invariant it breaks, so a tool can print "I1 held" / "I1 VIOLATED".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace concert::audit {

struct Violation {
  std::string invariant;  // "I1" .. "I6"
  std::string detail;     // names the offending rows
};

struct InvariantReport {
  std::vector<Violation> violations;

  bool ok() const { return violations.empty(); }
  void add(std::string invariant, std::string detail) {
    violations.push_back({std::move(invariant), std::move(detail)});
  }
  std::vector<Violation> of(std::string_view invariant) const;
  // One "  - I1: ..." line per violation (test failure messages).
  std::string describe() const;
};

}  // namespace concert::audit
