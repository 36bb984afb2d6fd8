// After the invariants, with --history: reads the recorded exchanges back and
// holds the store and the event sink to them (audit/history.hpp), printing each
// violation and one summary line.
#pragma once

#include <ostream>

#include "bench/rush/options.hpp"
#include "ports/store.hpp"

namespace concert::bench::rush {

// True when the history could be read and nothing in it was violated.
bool check_history_and_print(std::ostream& out, const RushOptions& options, ports::Store& store);

}  // namespace concert::bench::rush
