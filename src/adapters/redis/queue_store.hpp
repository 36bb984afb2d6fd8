// The production waiting queue in Redis: every change is one Lua script over the
// keys of one schedule (lua/*.lua), so several concertd instances share one
// queue and no move is ever half done.
#pragma once

#include <memory>

#include "adapters/redis/redis_client.hpp"
#include "ports/queue_store.hpp"

namespace concert::adapters::redis {

class RedisQueueStore final : public ports::QueueStore {
 public:
  explicit RedisQueueStore(RedisClient& client, std::size_t max_tokens_per_schedule = 2'000'000);

  ports::EnterResult enter(domain::Id schedule_id, const domain::UserId& user, domain::TimePoint now,
                           bool pre_open) override;
  std::optional<domain::QueueToken> status(const std::string& token, domain::TimePoint now) override;
  bool leave(const std::string& token) override;
  void mark_used(domain::Id schedule_id, const domain::UserId& user) override;
  void shuffle_pre_queue(domain::Id schedule_id, std::uint64_t seed) override;
  std::vector<domain::QueueToken> promote(domain::Id schedule_id, int count, domain::TimePoint now,
                                          domain::Millis active_ttl) override;
  int expire(domain::Id schedule_id, domain::TimePoint now, domain::Millis waiting_idle_ttl) override;
  ports::QueueCounts counts(domain::Id schedule_id) override;
  int admitted_since(domain::Id schedule_id, domain::TimePoint since) override;
  std::vector<ports::Admission> admissions(domain::Id schedule_id, std::int64_t after_seq, int limit) override;

 private:
  RedisClient& client_;
  std::size_t max_tokens_;
};

}  // namespace concert::adapters::redis
