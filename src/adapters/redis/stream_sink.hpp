// The production event sink: one Redis Stream. A batch is appended by one Lua
// script (one round trip, all or nothing), each entry carrying the event id so
// consumers deduplicate the at-least-once delivery.
#pragma once

#include <string>
#include <string_view>

#include "adapters/redis/redis_client.hpp"
#include "ports/event_sink.hpp"

namespace concert::adapters::redis {

inline constexpr const char* kEventStream = "concertd:events";

// The value of `field` ("eventId", "type", "event") in a stream entry's flat
// [field, value, ...] array; empty if absent.
std::string stream_field(const Reply& fields, std::string_view field);

class RedisStreamSink final : public ports::EventSink {
 public:
  explicit RedisStreamSink(RedisClient& client) : client_(client) {}
  void publish(std::span<const domain::OutboxEvent> events) override;

 private:
  RedisClient& client_;
};

}  // namespace concert::adapters::redis
