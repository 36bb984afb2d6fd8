// The published shape of an outbox event, the same in every sink.
#pragma once

#include <nlohmann/json.hpp>

#include "domain/events.hpp"

namespace concert::adapters::sink {

inline nlohmann::json event_json(const domain::OutboxEvent& e) {
  return {{"eventId", e.event_id},
          {"type", e.event.event_type},
          {"aggregateType", e.event.aggregate_type},
          {"aggregateId", e.event.aggregate_id},
          {"aggregateVersion", e.event.aggregate_version},
          {"occurredAt", e.created_at.time_since_epoch().count()},
          {"payload", nlohmann::json::parse(e.event.payload, nullptr, false)}};
}

}  // namespace concert::adapters::sink
