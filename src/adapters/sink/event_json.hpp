// The published shape of an outbox event, the same in every sink.
#pragma once

#include <nlohmann/json.hpp>

#include "domain/events.hpp"

namespace concert::adapters::sink {

// `traceId`: the W3C trace id of the request that caused it, when one did.
inline nlohmann::json event_json(const domain::OutboxEvent& e) {
  nlohmann::json j{{"eventId", e.event_id},
                   {"type", e.event.event_type},
                   {"aggregateType", e.event.aggregate_type},
                   {"aggregateId", e.event.aggregate_id},
                   {"aggregateVersion", e.event.aggregate_version},
                   {"occurredAt", e.created_at.time_since_epoch().count()},
                   {"payload", nlohmann::json::parse(e.event.payload, nullptr, false)}};
  if (!e.event.trace_id.empty()) j["traceId"] = e.event.trace_id;
  return j;
}

}  // namespace concert::adapters::sink
