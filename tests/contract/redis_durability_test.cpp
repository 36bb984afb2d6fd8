// The Redis configuration the project ships (deploy/redis.conf: AOF, fsync
// always) against a kill -9 the moment after concertd's writes: the queue's
// moves and the events the relay published are all there after the restart
// (issue 13 item 3; the stream is durable by configuration). Redis is the
// test's own, started from that file.
#include <gtest/gtest.h>

#include "adapters/redis/queue_store.hpp"
#include "adapters/redis/stream_sink.hpp"
#include "support/private_servers.hpp"
#include "support/temp_dir.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;
using domain::TokenStatus;

constexpr domain::Id kSchedule = 3;
const domain::TimePoint t0{domain::Millis(1'700'000'000'000)};

std::unique_ptr<adapters::redis::RedisClient> client_of(const PrivateRedis& server) {
  adapters::redis::RedisOptions o;
  o.endpoint = *adapters::redis::parse_redis_url(server.url());
  return std::make_unique<adapters::redis::RedisClient>(o);
}

TEST(RedisDurability, QueueMovesAndPublishedEventsSurviveAKillNineTheMomentAfter) {
  TempDir dir;
  PrivateRedis server(dir.file("redis"), CONCERTD_SOURCE_DIR "/deploy/redis.conf");
  const auto key = adapters::redis::queue_token_key("durability test secret");
  std::vector<std::string> tokens;
  {
    auto client = client_of(server);
    adapters::redis::RedisQueueStore queue(*client, {key, 1000, 1h, false});
    for (int i = 0; i < 50; ++i) {
      tokens.push_back(queue.enter(kSchedule, "fan" + std::to_string(i), t0, false).token.token);
    }
    ASSERT_EQ(queue.promote(kSchedule, 10, t0, 60s).size(), 10u);
    ASSERT_TRUE(queue.leave(tokens[49], "fan49"));
    std::vector<domain::OutboxEvent> events;
    for (int i = 1; i <= 100; ++i) {
      domain::OutboxEvent e;
      e.id = i;
      e.event_id = "evt-" + std::to_string(i);
      e.event = {"reservation", i, 1, "ReservationHeld", "{}", {}};
      events.push_back(e);
    }
    adapters::redis::RedisStreamSink(*client).publish(events);
    server.kill9();  // no pause: whatever Redis acknowledged must be on disk already
  }
  server.restart();
  auto client = client_of(server);
  adapters::redis::RedisQueueStore queue(*client, {key, 1000, 1h, false});
  for (int i = 0; i < 49; ++i) {
    const auto token = queue.status(tokens[i], "fan" + std::to_string(i), t0);
    ASSERT_TRUE(token) << "fan" << i << " lost its ticket";
    if (i < 10) {
      EXPECT_EQ(token->status, TokenStatus::Active) << i;
    } else {
      EXPECT_EQ(token->status, TokenStatus::Waiting) << i;
      EXPECT_EQ(token->position, i - 9) << i;
    }
  }
  const auto left = queue.status(tokens[49], "fan49", t0);
  EXPECT_TRUE(!left || left->status == TokenStatus::Left);
  EXPECT_EQ(client->command({"XLEN", std::string(adapters::redis::kEventStream)}).as_int(), 100);
}

}  // namespace
}  // namespace concert::testing
