// Writes the one outbox event of a state change, inside the caller's transaction.
#pragma once

#include "app/views.hpp"
#include "ports/store.hpp"

namespace concert::app {

inline void record(ports::Tx& tx, const domain::Reservation& r, const char* event_type, domain::TimePoint now) {
  tx.append_event({"reservation", r.id, r.version, event_type, to_json(r).dump()}, now);
}

inline void record(ports::Tx& tx, const domain::Payment& p, const char* event_type, domain::TimePoint now) {
  tx.append_event({"payment", p.id, p.version, event_type, to_json(p).dump()}, now);
}

}  // namespace concert::app
