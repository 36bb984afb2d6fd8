#include "app/abuse_limits.hpp"

#include <vector>

#include "platform/crypto.hpp"
#include "ports/store.hpp"

namespace concert::app {

namespace {

const char* name_of(LimitedAction action) { return action == LimitedAction::QueueEntry ? "queue_entry" : "write"; }

}  // namespace

AbuseLimits::AbuseLimits(ports::RateLimiter& shared, ports::RateLimiter& fallback, AbuseLimitSettings settings,
                         platform::Registry& metrics)
    : settings_(settings), shared_(shared), fallback_(fallback) {
  for (auto action : {LimitedAction::QueueEntry, LimitedAction::Write}) {
    const platform::Labels labels{{"action", name_of(action)}};
    metrics_[static_cast<int>(action)] = {
        &metrics.counter("concertd_rate_limited_total", "Requests refused by an abuse limit (429)", labels),
        &metrics.counter("concertd_rate_limit_fallbacks_total",
                         "Limit checks counted in this instance's memory because the shared store was down", labels)};
  }
}

std::optional<LimitRefusal> AbuseLimits::admit(LimitedAction action, const std::string& user,
                                               const std::string& address) {
  const bool entry = action == LimitedAction::QueueEntry;
  const auto per_user = entry ? settings_.entry_per_user : settings_.writes_per_user;
  const auto per_address = entry ? settings_.entry_per_address : settings_.writes_per_address;
  // A sub is any 1..128 bytes: hashed, every key is short and plain.
  const std::string kind = entry ? "entry:" : "write:";
  std::vector<ports::BucketTake> buckets;
  if (per_user.per_second > 0) buckets.push_back({kind + "u:" + platform::sha256_hex(user).substr(0, 32), per_user});
  if (per_address.per_second > 0) buckets.push_back({kind + "a:" + address, per_address});
  if (buckets.empty()) return std::nullopt;

  auto& metrics = metrics_[static_cast<int>(action)];
  std::optional<std::chrono::milliseconds> wait;
  try {
    wait = shared_.take(buckets);
  } catch (const ports::StoreUnavailable&) {
    metrics.fallbacks->inc();
    wait = fallback_.take(buckets);
  }
  if (!wait) return std::nullopt;
  metrics.refused->inc();
  const auto seconds = std::max<long long>(1, (wait->count() + 999) / 1000);
  const std::string what = entry ? "queue entries" : "holds, payments and refunds";
  return LimitRefusal{{domain::ErrorCode::RateLimited,
                       "too many " + what + " from this user or address; retry in " + std::to_string(seconds) + " s"},
                      std::chrono::seconds(seconds)};
}

}  // namespace concert::app
