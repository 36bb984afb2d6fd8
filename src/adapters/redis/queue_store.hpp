// The production waiting queue in Redis: every change is one Lua script over the
// keys of one schedule (lua/*.lua), so several concertd instances share one
// queue and no move is ever half done. Polls are answered from this instance's
// serving snapshot of each schedule (serving_snapshot.hpp), which a background
// thread refreshes every `refresh_interval`; so a poll costs no round trip.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <unordered_map>

#include "adapters/redis/queue_ticket.hpp"
#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/serving_snapshot.hpp"
#include "ports/queue_store.hpp"

namespace concert::adapters::redis {

struct RedisQueueOptions {
  std::string token_key;  // signs queue tokens; the same on every instance
  std::size_t max_tokens_per_schedule = 2'000'000;
  std::chrono::milliseconds refresh_interval{100};
  // Off: the snapshot catches up only when the instance moves the queue itself
  // (promote, expire, ...), never on a timer or a first poll. Tests use it to
  // decide when an instance sees another's moves.
  bool refresh_in_background = true;
};

class RedisQueueStore final : public ports::QueueStore {
 public:
  RedisQueueStore(RedisClient& client, RedisQueueOptions options);
  ~RedisQueueStore() override;

  ports::EnterResult enter(domain::Id schedule_id, const domain::UserId& user, domain::TimePoint now,
                           bool pre_open) override;
  ports::PollAnswer try_poll(const std::string& token, const domain::UserId& user, domain::TimePoint now) override;
  std::optional<domain::QueueToken> status(const std::string& token, const domain::UserId& user,
                                           domain::TimePoint now) override;
  bool leave(const std::string& token, const domain::UserId& user) override;
  void mark_used(domain::Id schedule_id, const domain::UserId& user) override;
  void shuffle_pre_queue(domain::Id schedule_id, std::uint64_t seed) override;
  std::vector<domain::QueueToken> promote(domain::Id schedule_id, int count, domain::TimePoint now,
                                          domain::Millis active_ttl) override;
  int expire(domain::Id schedule_id, domain::TimePoint now, domain::Millis waiting_idle_ttl) override;
  ports::QueueCounts counts(domain::Id schedule_id) override;
  int admitted_since(domain::Id schedule_id, domain::TimePoint since) override;
  std::vector<ports::Admission> admissions(domain::Id schedule_id, std::int64_t after_seq, int limit) override;

 private:
  // Brings the schedule's snapshot up to date with Redis (and hands Redis the
  // polls it answered). Only for schedules polled on this instance; after a move
  // made here, so this instance never answers older than its own moves.
  void refresh(domain::Id schedule_id);
  void refresh_all(std::stop_token stop);
  // How far this instance saw the queue (last_seq, serving_seq, pre_count), for
  // the scripts that raise Redis' counters to it if Redis lost the queue.
  std::vector<std::string> floors(domain::Id schedule_id);

  RedisClient& client_;
  RedisQueueOptions options_;
  TicketSigner signer_;
  std::mutex snapshots_mutex_;  // guards snapshots_ (held for microseconds)
  std::unordered_map<domain::Id, ServingSnapshot> snapshots_;
  std::mutex refresh_mutex_;  // one refresh at a time, so moves replay in order
  std::condition_variable_any wake_;
  std::atomic<bool> wake_requested_{false};
  std::jthread refresher_;  // last: stopped before the members it uses go
};

}  // namespace concert::adapters::redis
