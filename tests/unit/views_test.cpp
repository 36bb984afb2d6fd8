#include "app/views.hpp"

#include <gtest/gtest.h>

namespace concert::app {
namespace {

TEST(Rfc3339, FormatsUtcWithMillis) {
  EXPECT_EQ(rfc3339(domain::TimePoint(domain::Millis(0))), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339(domain::TimePoint(domain::Millis(1'767'225'600'123))), "2026-01-01T00:00:00.123Z");
}

TEST(Rfc3339, ParsesZuluOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00Z")->time_since_epoch().count(), 1'767'225'600'000);
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:00:00.5Z")->time_since_epoch().count(), 1'767'225'600'500);
  EXPECT_EQ(parse_rfc3339("2026-01-01T09:00:00+09:00")->time_since_epoch().count(), 1'767'225'600'000);
}

TEST(Rfc3339, RejectsGarbage) {
  for (const char* bad : {"", "2026-01-01", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00",
                          "2026-01-01T00:00:00Zjunk", "2026-01-01T25:00:00Z", "yesterday"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(QueueJson, ReadsAsTheFieldsOfTheToken) {
  domain::QueueToken waiting{"7.w42.abc123", 7, "alice", domain::TokenStatus::Waiting, 42, std::nullopt, {}};
  const auto w = nlohmann::json::parse(queue_json(waiting, 9));
  EXPECT_EQ(w, (nlohmann::json{{"activeUntil", nullptr},
                               {"etaSeconds", 9},
                               {"position", 42},
                               {"scheduleId", 7},
                               {"status", "WAITING"},
                               {"token", "7.w42.abc123"}}));

  domain::QueueToken active{"7.p3.def",
                            7,
                            "bob",
                            domain::TokenStatus::Active,
                            std::nullopt,
                            domain::TimePoint(std::chrono::milliseconds(1'700'000'000'123)),
                            {}};
  const auto a = nlohmann::json::parse(queue_json(active, 0));
  EXPECT_EQ(a["activeUntil"], rfc3339(*active.active_until));
  EXPECT_TRUE(a["position"].is_null());
  EXPECT_EQ(a["status"], "ACTIVE");
}

TEST(QueueJson, EscapesATokenThatNeedsIt) {
  domain::QueueToken odd{"a\"b\\c\n", 1, "alice", domain::TokenStatus::Waiting, 1, std::nullopt, {}};
  EXPECT_EQ(nlohmann::json::parse(queue_json(odd, 1))["token"], "a\"b\\c\n");
}

}  // namespace
}  // namespace concert::app
