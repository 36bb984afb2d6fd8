#include "adapters/inproc/system_clock.hpp"

namespace concert::adapters::inproc {

domain::TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now());
}

}  // namespace concert::adapters::inproc
