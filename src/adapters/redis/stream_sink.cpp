#include "adapters/redis/stream_sink.hpp"

#include "adapters/sink/event_json.hpp"

namespace concert::adapters::redis {

namespace {

// KEYS[1] stream  ARGV: (eventId, type, event JSON) per event. Returns entries added.
const Script kAppend{"stream_append", R"lua(
for i = 1, #ARGV, 3 do
  redis.call('XADD', KEYS[1], '*', 'eventId', ARGV[i], 'type', ARGV[i + 1], 'event', ARGV[i + 2])
end
return #ARGV / 3
)lua"};

}  // namespace

std::string stream_field(const Reply& fields, std::string_view field) {
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].str == field) return fields.elements[i + 1].str;
  }
  return {};
}

void RedisStreamSink::publish(std::span<const domain::OutboxEvent> events) {
  std::vector<std::string> args;
  args.reserve(events.size() * 3);
  for (const auto& e : events) {
    args.push_back(e.event_id);
    args.push_back(e.event.event_type);
    args.push_back(sink::event_json(e).dump());
  }
  client_.eval(kAppend, {kEventStream}, args);
}

}  // namespace concert::adapters::redis
