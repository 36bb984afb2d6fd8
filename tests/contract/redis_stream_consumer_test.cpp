// The event-stream consumer: the relay's at-least-once delivery (a batch
// published twice, as after a crash between publishing and marking) reaches
// the handler once per event id; consumers of one group share the entries.
#include <map>
#include <set>

#include "adapters/redis/stream_consumer.hpp"
#include "adapters/redis/stream_sink.hpp"
#include "support/redis_fixture.hpp"

namespace concert::testing {
namespace {

class StreamConsumerTest : public RedisFixture {
 protected:
  static std::vector<domain::OutboxEvent> events(int from, int n) {
    std::vector<domain::OutboxEvent> out;
    for (int i = from; i < from + n; ++i) {
      domain::OutboxEvent e;
      e.id = i;
      e.event_id = "evt-" + std::to_string(i);
      e.event = {"reservation", i, 1, "ReservationHeld", "{}", {}};
      out.push_back(e);
    }
    return out;
  }
};

TEST_F(StreamConsumerTest, RepublishedEventsAreHandledOnce) {
  adapters::redis::RedisStreamSink sink(*redis);
  const auto batch = events(1, 20);
  sink.publish(batch);
  sink.publish(batch);  // the relay died before marking the batch published
  sink.publish(events(15, 10));  // overlaps the first batch: 15..24

  adapters::redis::StreamConsumer consumer(*redis, adapters::redis::kEventStream, "billing", "c1");
  std::map<std::string, int> seen;
  int handled = 0, duplicates = 0;
  for (int round = 0; round < 10; ++round) {
    auto b = consumer.poll(7, [&](const nlohmann::json& e) { ++seen[e["eventId"].get<std::string>()]; });
    handled += b.handled;
    duplicates += b.duplicates;
  }
  EXPECT_EQ(handled, 24);
  EXPECT_EQ(duplicates, 50 - 24);
  EXPECT_EQ(seen.size(), 24u);
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(consumer.poll(100, [](const nlohmann::json&) { FAIL() << "nothing new"; }).handled, 0);
}

TEST_F(StreamConsumerTest, ConsumersOfOneGroupShareTheWorkAndEachGroupSeesEverything) {
  adapters::redis::RedisStreamSink sink(*redis);
  sink.publish(events(1, 30));
  adapters::redis::StreamConsumer a(*redis, adapters::redis::kEventStream, "mail", "a");
  adapters::redis::StreamConsumer b(*redis, adapters::redis::kEventStream, "mail", "b");
  adapters::redis::StreamConsumer audit(*redis, adapters::redis::kEventStream, "audit", "x");
  std::set<std::string> mail, audited;
  auto into = [](std::set<std::string>& ids) {
    return [&ids](const nlohmann::json& e) { EXPECT_TRUE(ids.insert(e["eventId"].get<std::string>()).second); };
  };
  for (int round = 0; round < 5; ++round) {
    a.poll(4, into(mail));
    b.poll(4, into(mail));
    audit.poll(100, into(audited));
  }
  EXPECT_EQ(mail.size(), 30u);
  EXPECT_EQ(audited.size(), 30u);
}

}  // namespace
}  // namespace concert::testing
