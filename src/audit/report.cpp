#include "audit/report.hpp"

namespace concert::audit {

std::vector<Violation> InvariantReport::of(std::string_view invariant) const {
  std::vector<Violation> found;
  for (const auto& v : violations) {
    if (v.invariant == invariant) found.push_back(v);
  }
  return found;
}

std::string InvariantReport::describe() const {
  std::string out;
  for (const auto& v : violations) out += "  - " + v.invariant + ": " + v.detail + "\n";
  return out;
}

}  // namespace concert::audit
