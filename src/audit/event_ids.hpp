// What reached an event sink, read back by event id. The relay publishes at least
// once, so an id may appear more than once (consumers deduplicate); I4 only needs
// every committed event to appear.
#pragma once

#include <map>
#include <set>
#include <string>

#include "adapters/redis/redis_client.hpp"

namespace concert::audit {

using EventCopies = std::map<std::string, int>;  // event id -> copies published

// The embedded sink: one JSON object per line, each with "eventId". A torn last
// line (the server is still appending) is skipped.
EventCopies count_jsonl_event_ids(const std::string& path);
std::set<std::string> read_jsonl_event_ids(const std::string& path);

// The production sink: a Redis stream whose entries carry an "eventId" field,
// read in pages so a long sale does not need one huge reply.
EventCopies count_stream_event_ids(adapters::redis::RedisClient& redis, const std::string& stream_key);

std::set<std::string> ids_of(const EventCopies& copies);

}  // namespace concert::audit
