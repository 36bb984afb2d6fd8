// A consumer of the event stream (`concertd:events`) that sees each event once
// although the relay publishes at least once (SPEC §3: stable event ids so
// consumers can deduplicate). It reads as a member of a consumer group, so
// several consumers share the work and an unacknowledged entry is not lost; an
// event id it already handled (a Redis key per id, kept for `remember`) is
// acknowledged and skipped.
//
// A crash between handling an event and recording its id repeats that one
// event; a consumer whose effects live in a database should record the id in the
// same transaction as the effect instead of in Redis.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/redis/redis_client.hpp"

namespace concert::adapters::redis {

struct ConsumedBatch {
  int handled = 0;     // events handed to the handler
  int duplicates = 0;  // entries skipped: their event id was handled before
};

class StreamConsumer {
 public:
  using Handler = std::function<void(const nlohmann::json& event)>;

  StreamConsumer(RedisClient& client, std::string stream, std::string group, std::string consumer,
                 std::chrono::seconds remember = std::chrono::hours(24 * 7));

  // Reads up to `count` entries not yet delivered to the group (no blocking),
  // hands the new ones to `handle`, and acknowledges all of them.
  ConsumedBatch poll(int count, const Handler& handle);

 private:
  void ensure_group();

  RedisClient& client_;
  std::string stream_, group_, consumer_;
  std::chrono::seconds remember_;
  bool group_ready_ = false;
};

}  // namespace concert::adapters::redis
