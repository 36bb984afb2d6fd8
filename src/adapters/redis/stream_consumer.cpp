#include "adapters/redis/stream_consumer.hpp"

#include "adapters/redis/stream_sink.hpp"

namespace concert::adapters::redis {

StreamConsumer::StreamConsumer(RedisClient& client, std::string stream, std::string group, std::string consumer,
                               std::chrono::seconds remember)
    : client_(client),
      stream_(client.prefix() + std::move(stream)),
      group_(std::move(group)),
      consumer_(std::move(consumer)),
      remember_(remember) {}

void StreamConsumer::ensure_group() {
  if (group_ready_) return;
  try {
    client_.command({"XGROUP", "CREATE", stream_, group_, "0", "MKSTREAM"});
  } catch (const RedisUnavailable&) {
    throw;
  } catch (const std::runtime_error& e) {
    // Another consumer of the group created it first.
    if (std::string_view(e.what()).find("BUSYGROUP") == std::string_view::npos) throw;
  }
  group_ready_ = true;
}

ConsumedBatch StreamConsumer::poll(int count, const Handler& handle) {
  ensure_group();
  const auto reply = client_.command(
      {"XREADGROUP", "GROUP", group_, consumer_, "COUNT", std::to_string(count), "STREAMS", stream_, ">"});
  ConsumedBatch batch;
  if (reply.type != Reply::Type::Array || reply.elements.empty()) return batch;
  for (const auto& entry : reply.elements.at(0).elements.at(1).elements) {
    const auto& entry_id = entry.elements.at(0).str;
    const auto& fields = entry.elements.at(1);
    const auto event_id = stream_field(fields, "eventId");
    const auto seen_key = client_.prefix() + "consumed:" + group_ + ":" + event_id;
    if (client_.command({"EXISTS", seen_key}).as_int() == 1) {
      ++batch.duplicates;
    } else {
      handle(nlohmann::json::parse(stream_field(fields, "event"), nullptr, false));
      client_.command({"SET", seen_key, entry_id, "EX", std::to_string(remember_.count())});
      ++batch.handled;
    }
    client_.command({"XACK", stream_, group_, entry_id});
  }
  return batch;
}

}  // namespace concert::adapters::redis
