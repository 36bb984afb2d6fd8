// Number formatting shared by the benchmarks' reports.
#pragma once

#include <cstdint>
#include <string>

namespace concert::bench {

// `value` with exactly `decimals` digits after the point.
std::string fixed(double value, int decimals);

// A latency recorded in microseconds, as milliseconds.
inline double ms_of(std::uint64_t us) { return static_cast<double>(us) / 1000.0; }

}  // namespace concert::bench
