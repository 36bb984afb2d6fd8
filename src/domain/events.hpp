// Outbox events (SPEC §3). One event per committed state change of an aggregate,
// carrying the aggregate's version after the change so a checker can prove
// "exactly one event per change": versions 1..N, each once.
#pragma once

#include <cstdint>
#include <string>

#include "domain/types.hpp"

namespace concert::domain {

struct NewEvent {
  std::string aggregate_type;  // "reservation" | "payment"
  Id aggregate_id = 0;
  std::int64_t aggregate_version = 0;
  std::string event_type;  // ReservationHeld, PaymentApproved, ...
  std::string payload;     // JSON text
  std::string trace_id;    // the W3C trace id of the request that caused it; empty for workers' changes
};

// Stable, deterministic id: "<aggregate_type>-<aggregate_id>-v<version>". The same
// change always yields the same id, so a re-published event deduplicates.
std::string event_id_of(const NewEvent& e);

struct OutboxEvent {
  Id id = 0;             // monotonic; publication order
  std::string event_id;  // stable id consumers deduplicate on
  NewEvent event;
  TimePoint created_at;
  bool published = false;
};

}  // namespace concert::domain
