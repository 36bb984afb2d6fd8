// The embedded queue across a restart: a snapshot restored into a new store
// answers every fan as the old one did and goes on from there; the file
// survives its writer, and an unreadable one is set aside, not fatal.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/inproc/queue_snapshot_file.hpp"
#include "adapters/inproc/queue_store.hpp"
#include "support/temp_dir.hpp"

namespace concert::adapters::inproc {
namespace {

using domain::TokenStatus;
const domain::TimePoint t0{domain::Millis(1'000'000)};
const domain::Millis ttl = std::chrono::seconds(60);

struct Fans {
  std::vector<std::string> tokens;  // u0..u5 on schedule 1
  std::string early;                // schedule 2's pre-queue, before opening
};

Fans fill(InprocQueueStore& q) {
  Fans f;
  for (int i = 0; i < 6; ++i) f.tokens.push_back(q.enter(1, "u" + std::to_string(i), t0, false).token.token);
  EXPECT_EQ(q.promote(1, 2, t0, ttl).size(), 2u);  // u0, u1 ACTIVE
  EXPECT_TRUE(q.leave(f.tokens[3], "u3"));
  f.early = q.enter(2, "early", t0, true).token.token;
  return f;
}

void expect_same_answers(InprocQueueStore& a, InprocQueueStore& b, const Fans& f) {
  for (int i = 0; i < 6; ++i) {
    const auto user = "u" + std::to_string(i);
    const auto x = a.status(f.tokens[i], user, t0), y = b.status(f.tokens[i], user, t0);
    ASSERT_EQ(x.has_value(), y.has_value()) << user;
    if (!x) continue;
    EXPECT_EQ(x->status, y->status) << user;
    EXPECT_EQ(x->position, y->position) << user;
    EXPECT_EQ(x->active_until, y->active_until) << user;
    EXPECT_EQ(x->entered_at, y->entered_at) << user;
  }
  EXPECT_EQ(a.counts(1).waiting, b.counts(1).waiting);
  EXPECT_EQ(a.counts(1).active, b.counts(1).active);
  EXPECT_EQ(a.counts(2).pre_queue, b.counts(2).pre_queue);
  EXPECT_EQ(a.admitted_since(1, t0), b.admitted_since(1, t0));
  EXPECT_EQ(a.admissions(1, 0, 10).size(), b.admissions(1, 0, 10).size());
}

TEST(QueueSnapshot, ARestoredQueueAnswersEveryFanAsBeforeAndGoesOnFromThere) {
  InprocQueueStore before;
  const auto fans = fill(before);
  InprocQueueStore after;
  after.restore(nlohmann::json::parse(before.snapshot().dump()));
  expect_same_answers(before, after, fans);
  EXPECT_EQ(after.status(fans.tokens[2], "u2", t0)->position, 1);
  // Entering again is the same ticket; a newcomer is numbered after everyone
  // (u3, who left, still counts until the promoter passes its number).
  EXPECT_EQ(after.enter(1, "u4", t0, false).token.token, fans.tokens[4]);
  EXPECT_EQ(after.enter(1, "newcomer", t0, false).token.position, 5);
  // Promotion and expiry go on: FIFO from u2, and the sessions end on time.
  const auto next = after.promote(1, 1, t0, ttl);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].token, fans.tokens[2]);
  EXPECT_EQ(after.expire(1, t0 + ttl, std::chrono::hours(1)), 3);  // u0, u1, u2's sessions
  // The pre-queue is still undrawn: the opening shuffles it as it would have.
  after.shuffle_pre_queue(2, 7);
  EXPECT_EQ(after.status(fans.early, "early", t0)->position, 1);
}

TEST(QueueSnapshot, AMalformedSnapshotIsRefused) {
  InprocQueueStore q;
  EXPECT_THROW(q.restore(nlohmann::json::parse(R"({"tokens": 1})")), nlohmann::json::exception);
  auto bad = InprocQueueStore().snapshot();
  bad["tokens"] = nlohmann::json::array({{{"token", "t"},
                                          {"scheduleId", 1},
                                          {"userId", "u"},
                                          {"status", "USED"},
                                          {"enteredAt", 0},
                                          {"seq", 1},
                                          {"lastSeen", 0}}});
  EXPECT_THROW(InprocQueueStore().restore(bad), nlohmann::json::exception);  // a finished token is not live
}

TEST(QueueSnapshotFile, TheLastStateIsOnDiskWhenItsWriterStopsAndLoadsIntoTheNextStore) {
  testing::TempDir dir;
  const auto path = dir.file("queue.json");
  InprocQueueStore first;
  Fans fans;
  {
    QueueSnapshotFile file(first, path, std::chrono::hours(1));  // only the final write
    EXPECT_FALSE(file.loaded());
    fans = fill(first);
  }
  InprocQueueStore second;
  QueueSnapshotFile file(second, path);
  EXPECT_TRUE(file.loaded());
  expect_same_answers(first, second, fans);
}

TEST(QueueSnapshotFile, AnUnreadableFileIsSetAsideAndTheQueueStartsEmpty) {
  testing::TempDir dir;
  const auto path = dir.file("queue.json");
  std::ofstream(path) << "{\"tokens\": [trunc";
  InprocQueueStore q;
  QueueSnapshotFile file(q, path);
  EXPECT_FALSE(file.loaded());
  EXPECT_EQ(q.counts(1).waiting, 0);
  EXPECT_TRUE(std::filesystem::exists(path + ".unreadable"));
}

}  // namespace
}  // namespace concert::adapters::inproc
