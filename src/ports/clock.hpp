// Time is a port: the domain never reads the wall clock, so tests drive expiry
// with a manual clock instead of sleeping.
#pragma once

#include "domain/types.hpp"

namespace concert::ports {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual domain::TimePoint now() const = 0;
};

}  // namespace concert::ports
