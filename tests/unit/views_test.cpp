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

}  // namespace
}  // namespace concert::app
