#include "bench/http/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace concert::bench {

namespace {

constexpr unsigned kSubBits = 6;                 // 64 sub-buckets per power of two
constexpr std::uint64_t kHalf = 1u << kSubBits;  // 64
constexpr std::uint64_t kLinear = kHalf * 2;     // values below 128 get a bucket each

}  // namespace

// Values below 128 map to themselves. Above, with e = bit_width(v) - 7, the value
// keeps its top 7 bits: v >> e lies in [64, 128), and the bucket is 64 * e + (v >> e).
std::size_t LogHistogram::bucket_of(std::uint64_t value) {
  if (value < kLinear) return static_cast<std::size_t>(value);
  const auto e = static_cast<unsigned>(std::bit_width(value)) - (kSubBits + 1);
  return static_cast<std::size_t>(kHalf * e + (value >> e));
}

std::uint64_t LogHistogram::upper_bound_of(std::size_t bucket) {
  if (bucket < kLinear) return bucket;
  const auto e = bucket / kHalf - 1;
  const auto mantissa = bucket - kHalf * e;
  return ((mantissa + 1) << e) - 1;
}

void LogHistogram::record(std::uint64_t value) {
  const auto bucket = bucket_of(value);
  if (bucket >= counts_.size()) counts_.resize(bucket + 1, 0);
  ++counts_[bucket];
  ++count_;
  max_ = std::max(max_, value);
  sum_ += value;
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

std::uint64_t LogHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  const auto wanted = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(upper_bound_of(i), max_);
  }
  return max_;
}

}  // namespace concert::bench
