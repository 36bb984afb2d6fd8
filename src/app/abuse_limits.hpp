// The abuse limits of SPEC §4: token buckets per user and per client address
// for queue entry and for writes (holds, payments, refunds). Over either limit
// the request is refused before it changes anything. The buckets live behind a
// port (Redis on the local profile, so every instance counts together); when
// that store is down, this instance counts alone in memory instead of letting
// everyone through or refusing everyone.
#pragma once

#include <string>

#include "domain/errors.hpp"
#include "platform/metrics.hpp"
#include "ports/rate_limiter.hpp"

namespace concert::app {

enum class LimitedAction { QueueEntry, Write };

struct AbuseLimitSettings {
  // A rate of 0 turns that limit off. Defaults: platform::Config.
  ports::BucketRate entry_per_user, entry_per_address, writes_per_user, writes_per_address;
};

struct LimitRefusal {
  domain::Error error;  // RateLimited, saying which limit
  std::chrono::seconds retry_after;
};

class AbuseLimits {
 public:
  AbuseLimits(ports::RateLimiter& shared, ports::RateLimiter& fallback, AbuseLimitSettings settings,
              platform::Registry& metrics);

  // `address` is the client's limit unit (platform::limit_unit). Takes a token
  // from the user's and the address's bucket, or from neither.
  std::optional<LimitRefusal> admit(LimitedAction action, const std::string& user, const std::string& address);

 private:
  struct ActionMetrics {
    platform::Counter* refused;
    platform::Counter* fallbacks;
  };
  AbuseLimitSettings settings_;
  ports::RateLimiter& shared_;
  ports::RateLimiter& fallback_;
  ActionMetrics metrics_[2];
};

}  // namespace concert::app
