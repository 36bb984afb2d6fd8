// The embedded profile runs exactly one instance (lock file), so every lease is its own.
#pragma once

#include "ports/lease.hpp"

namespace concert::adapters::inproc {

class SoleInstanceLease final : public ports::Lease {
 public:
  bool hold(const std::string&, const std::string&, domain::Millis) override { return true; }
  void release(const std::string&, const std::string&) override {}
};

}  // namespace concert::adapters::inproc
