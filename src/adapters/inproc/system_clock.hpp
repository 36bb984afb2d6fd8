#pragma once

#include "ports/clock.hpp"

namespace concert::adapters::inproc {

class SystemClock final : public ports::Clock {
 public:
  domain::TimePoint now() const override;
};

}  // namespace concert::adapters::inproc
