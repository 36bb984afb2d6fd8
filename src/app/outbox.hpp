// Writes the one outbox event of a state change, inside the caller's transaction.
#pragma once

#include "app/views.hpp"
#include "platform/trace_context.hpp"
#include "ports/store.hpp"

namespace concert::app {

// The trace of the request this change is made for (SPEC §6), if any.
inline std::string current_trace_id() {
  const auto* trace = platform::current_trace();
  return trace ? trace->trace_id : std::string();
}

inline void record(ports::Tx& tx, const domain::Reservation& r, const char* event_type, domain::TimePoint now) {
  tx.append_event({"reservation", r.id, r.version, event_type, to_json(r).dump(), current_trace_id()}, now);
}

inline void record(ports::Tx& tx, const domain::Payment& p, const char* event_type, domain::TimePoint now) {
  tx.append_event({"payment", p.id, p.version, event_type, to_json(p).dump(), current_trace_id()}, now);
}

}  // namespace concert::app
