#include "audit/event_ids.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/redis/stream_sink.hpp"

namespace concert::audit {

EventSequence read_jsonl_event_sequence(const std::string& path) {
  EventSequence sequence;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("eventId")) sequence.push_back(j["eventId"].get<std::string>());
  }
  return sequence;
}

EventCopies count_jsonl_event_ids(const std::string& path) { return count_copies(read_jsonl_event_sequence(path)); }

std::set<std::string> read_jsonl_event_ids(const std::string& path) { return ids_of(count_jsonl_event_ids(path)); }

EventSequence read_stream_event_sequence(adapters::redis::RedisClient& redis, const std::string& stream_key) {
  constexpr int kPage = 5000;
  EventSequence sequence;
  std::string start = "-";
  for (;;) {
    auto page = redis.command({"XRANGE", stream_key, start, "+", "COUNT", std::to_string(kPage)});
    for (const auto& entry : page.elements) {
      if (auto id = adapters::redis::stream_field(entry.elements.at(1), "eventId"); !id.empty()) {
        sequence.push_back(std::move(id));
      }
    }
    if (page.elements.size() < static_cast<std::size_t>(kPage)) break;
    start = "(" + page.elements.back().elements.at(0).str;  // exclusive start (Redis >= 6.2)
  }
  return sequence;
}

EventCopies count_stream_event_ids(adapters::redis::RedisClient& redis, const std::string& stream_key) {
  return count_copies(read_stream_event_sequence(redis, stream_key));
}

EventCopies count_copies(const EventSequence& sequence) {
  EventCopies copies;
  for (const auto& id : sequence) ++copies[id];
  return copies;
}

std::set<std::string> ids_of(const EventCopies& copies) {
  std::set<std::string> ids;
  for (const auto& [id, n] : copies) ids.insert(id);
  return ids;
}

}  // namespace concert::audit
