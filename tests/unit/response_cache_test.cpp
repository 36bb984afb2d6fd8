// The catalogue's answer cache: kept for a moment, never kept when rendered
// before a change, bounded, and only for answers worth repeating.
#include "adapters/http/response_cache.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace concert::http {
namespace {

using namespace std::chrono_literals;

Response answer(int status, const std::string& body) {
  Response r;
  r.status = status;
  r.body = body;
  return r;
}

TEST(ResponseCache, KeepsAnAnswerAndSharesItsBody) {
  ResponseCache cache(1h, 16);
  EXPECT_FALSE(cache.get("/api/v1/concerts"));
  const auto sent = cache.put("/api/v1/concerts", cache.generation(), answer(200, R"({"items":[]})"));
  EXPECT_EQ(sent.payload(), R"({"items":[]})");
  auto first = cache.get("/api/v1/concerts");
  auto second = cache.get("/api/v1/concerts");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->content_type, "application/json");
  EXPECT_EQ(first->payload(), R"({"items":[]})");
  EXPECT_EQ(first->shared_body, second->shared_body);  // one string for every reader
  EXPECT_FALSE(cache.get("/api/v1/concerts/1"));
}

TEST(ResponseCache, AnAnswerExpiresAfterItsTtl) {
  ResponseCache cache(1ms, 16);
  cache.put("/k", cache.generation(), answer(200, "{}"));
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(cache.get("/k"));
}

TEST(ResponseCache, AnExpiredAnswerIsStillThereToServeStaleUntilAChange) {
  ResponseCache cache(1ms, 16);
  EXPECT_FALSE(cache.stale("/k"));
  cache.put("/k", cache.generation(), answer(200, "{}"));
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(cache.get("/k"));
  const auto kept = cache.stale("/k");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->payload(), "{}");
  EXPECT_EQ(kept->headers.at("Cache-Status"), "concertd; fwd=stale; fwd-status=503");
  EXPECT_FALSE(cache.get("/k"));  // serving it stale does not make it fresh
  cache.invalidate();
  EXPECT_FALSE(cache.stale("/k"));  // an admin's change is never hidden by an old copy
}

TEST(ResponseCache, AChangeDropsEverythingAndAnAnswerRenderedBeforeItIsNotKept) {
  ResponseCache cache(1h, 16);
  cache.put("/a", cache.generation(), answer(200, "old"));
  const auto rendering_since = cache.generation();
  cache.invalidate();  // an admin write lands while "/b" is being rendered
  EXPECT_FALSE(cache.get("/a"));
  EXPECT_EQ(cache.put("/b", rendering_since, answer(200, "stale")).payload(), "stale");  // still answered
  EXPECT_FALSE(cache.get("/b"));                                                         // but not kept
  cache.put("/b", cache.generation(), answer(200, "fresh"));
  EXPECT_EQ(cache.get("/b")->payload(), "fresh");
}

TEST(ResponseCache, KeepsSuccessAndNotFoundOnly) {
  ResponseCache cache(1h, 16);
  cache.put("/404", cache.generation(), answer(404, "{}"));
  cache.put("/409", cache.generation(), answer(409, "{}"));
  cache.put("/503", cache.generation(), answer(503, "{}"));
  EXPECT_TRUE(cache.get("/404"));
  EXPECT_FALSE(cache.get("/409"));
  EXPECT_FALSE(cache.get("/503"));  // the database was away: the next reader tries again
}

TEST(ResponseCache, StaysWithinItsBound) {
  ResponseCache cache(1h, 2);
  cache.put("/1", cache.generation(), answer(404, "{}"));
  cache.put("/2", cache.generation(), answer(404, "{}"));
  cache.put("/3", cache.generation(), answer(404, "{}"));  // full: starts afresh
  EXPECT_FALSE(cache.get("/1"));
  EXPECT_FALSE(cache.get("/2"));
  EXPECT_TRUE(cache.get("/3"));
}

}  // namespace
}  // namespace concert::http
