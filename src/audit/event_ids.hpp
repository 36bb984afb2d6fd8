// What reached an event sink, read back by event id. The relay publishes at least
// once, so an id may appear more than once (consumers deduplicate); I4 only needs
// every committed event to appear.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapters/redis/redis_client.hpp"

namespace concert::audit {

using EventCopies = std::map<std::string, int>;  // event id -> copies published
// Event ids in the order the sink received them, copies included (the history
// check's per-aggregate order).
using EventSequence = std::vector<std::string>;

// The embedded sink: one JSON object per line, each with "eventId". A torn last
// line (the server is still appending) is skipped.
EventCopies count_jsonl_event_ids(const std::string& path);
EventSequence read_jsonl_event_sequence(const std::string& path);
std::set<std::string> read_jsonl_event_ids(const std::string& path);

// The production sink: a Redis stream whose entries carry an "eventId" field,
// read in pages so a long sale does not need one huge reply.
EventCopies count_stream_event_ids(adapters::redis::RedisClient& redis, const std::string& stream_key);
EventSequence read_stream_event_sequence(adapters::redis::RedisClient& redis, const std::string& stream_key);

EventCopies count_copies(const EventSequence& sequence);

std::set<std::string> ids_of(const EventCopies& copies);

}  // namespace concert::audit
