// A log-bucketed histogram in the manner of HdrHistogram: every power of two is
// split into 64 linear sub-buckets, so any recorded value is known to within
// 1/64 (< 1.6 %) whatever its magnitude, in fixed memory and O(1) per record.
// Debian ships HdrHistogram only for Java and Go, not for C or C++, hence this
// small stand-in. Like HdrHistogram, a percentile reports the upper bound of its
// bucket (never optimistic), and the maximum is kept exactly.
#pragma once

#include <cstdint>
#include <vector>

namespace concert::bench {

class LogHistogram {
 public:
  void record(std::uint64_t value);
  void merge(const LogHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }
  // p in [0, 100]; 0 when empty.
  std::uint64_t percentile(double p) const;

 private:
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t upper_bound_of(std::size_t bucket);

  std::vector<std::uint64_t> counts_;  // grows to the largest bucket seen
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;  // microseconds: 2^64 of them is 584,000 years
};

}  // namespace concert::bench
