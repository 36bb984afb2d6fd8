// Token buckets, named by key: where the abuse limits of SPEC §4 keep count.
// In process on the embedded profile; in Redis on the local one, so every
// instance takes from the same buckets.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>

namespace concert::ports {

struct BucketRate {
  int per_second = 1;  // tokens added back each second; above 0
  int burst = 1;       // the most a bucket holds, and what a new one starts with
};

struct BucketTake {
  std::string key;
  BucketRate rate;
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Takes one token from every bucket, or from none when any is empty: then
  // returns how long until every one of them holds a token again. May throw
  // ports::StoreUnavailable when the buckets live in a store that is down.
  virtual std::optional<std::chrono::milliseconds> take(std::span<const BucketTake> buckets) = 0;
};

}  // namespace concert::ports
