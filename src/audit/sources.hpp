// Where an audit reads from, named by URL as concert-rush's flags name them:
// the store (`sqlite:PATH`, `mysql://user:pass@host:port/db`) and the event sink
// (`jsonl:PATH`, `redis://host:port/db` with the deployment's key prefix).
#pragma once

#include <memory>
#include <string>

#include "audit/event_ids.hpp"
#include "domain/errors.hpp"
#include "ports/store.hpp"

namespace concert::audit {

// Opens the store through the profile's own adapter (applying no migration the
// server has not applied already: both adapters' migrations are idempotent).
domain::Result<std::unique_ptr<ports::Store>> open_store(const std::string& db_url);

// Every event id in the sink, with its number of copies.
domain::Result<EventCopies> read_published_events(const std::string& events_url, const std::string& redis_prefix);
// Every event id in the sink in the order it arrived, copies included.
domain::Result<EventSequence> read_published_sequence(const std::string& events_url, const std::string& redis_prefix);

}  // namespace concert::audit
