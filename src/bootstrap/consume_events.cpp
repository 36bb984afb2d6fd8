#include "bootstrap/consume_events.hpp"

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "adapters/redis/stream_consumer.hpp"
#include "adapters/redis/stream_sink.hpp"
#include "bootstrap/local.hpp"

namespace concert::bootstrap {

namespace {

std::atomic<bool> stop_requested{false};

}  // namespace

domain::Result<void> consume_events(const platform::Config& config, const ConsumeOptions& options) {
  auto redis_config = redis_options(config, 1);
  if (!redis_config) return tl::unexpected(redis_config.error());
  adapters::redis::RedisClient redis(*redis_config);
  adapters::redis::StreamConsumer consumer(redis, adapters::redis::kEventStream, options.group, options.consumer);
  std::signal(SIGINT, [](int) { stop_requested = true; });
  std::signal(SIGTERM, [](int) { stop_requested = true; });
  int handled = 0, duplicates = 0;
  try {
    while (!stop_requested) {
      const auto batch = consumer.poll(500, [](const nlohmann::json& event) { std::cout << event.dump() << "\n"; });
      handled += batch.handled;
      duplicates += batch.duplicates;
      if (batch.handled + batch.duplicates > 0) continue;
      if (!options.follow) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  } catch (const std::exception& e) {
    return domain::fail(domain::ErrorCode::Unavailable, e.what());
  }
  std::cout << std::flush;
  std::cerr << "concertd events: " << handled << " handled, " << duplicates << " duplicates skipped\n";
  return {};
}

}  // namespace concert::bootstrap
