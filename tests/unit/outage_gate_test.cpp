// The gate that makes calls to a dead dependency fail at once.
#include "platform/outage_gate.hpp"

#include <gtest/gtest.h>

namespace concert::platform {
namespace {

using namespace std::chrono_literals;

TEST(OutageGate, ClosesAfterFailuresInARowAndLetsOneProbeThroughPerInterval) {
  OutageGate gate({2, 250ms});
  const auto t0 = OutageGate::Clock::now();
  EXPECT_TRUE(gate.may_try(t0));
  gate.unreachable(t0);
  EXPECT_TRUE(gate.may_try(t0));  // one failure may be one dropped connection
  EXPECT_FALSE(gate.down());
  gate.unreachable(t0);
  EXPECT_TRUE(gate.down());
  EXPECT_FALSE(gate.may_try(t0));
  EXPECT_FALSE(gate.may_try(t0 + 249ms));
  EXPECT_TRUE(gate.may_try(t0 + 250ms));   // the probe
  EXPECT_FALSE(gate.may_try(t0 + 251ms));  // only one per interval
  gate.unreachable(t0 + 300ms);            // the probe failed: still down
  EXPECT_FALSE(gate.may_try(t0 + 400ms));
  EXPECT_TRUE(gate.may_try(t0 + 500ms));
  gate.reachable();  // the probe got through
  EXPECT_FALSE(gate.down());
  EXPECT_TRUE(gate.may_try(t0 + 500ms));
  EXPECT_TRUE(gate.may_try(t0 + 500ms));
}

TEST(OutageGate, ASuccessBetweenFailuresKeepsItOpen) {
  OutageGate gate({2, 250ms});
  const auto t0 = OutageGate::Clock::now();
  for (int i = 0; i < 10; ++i) {
    gate.unreachable(t0);
    gate.reachable();
  }
  EXPECT_FALSE(gate.down());
  EXPECT_TRUE(gate.may_try(t0));
}

TEST(OutageGate, OneFailureMakesItSuspectUntilAnAnswer) {
  OutageGate gate({2, 250ms});
  const auto t0 = OutageGate::Clock::now();
  EXPECT_FALSE(gate.suspect());
  gate.unreachable(t0);
  EXPECT_TRUE(gate.suspect());
  EXPECT_FALSE(gate.down());
  gate.reachable();
  EXPECT_FALSE(gate.suspect());
}

TEST(OutageGate, AProbeThatNeverReportsBackDoesNotKeepItClosed) {
  OutageGate gate({1, 100ms});
  const auto t0 = OutageGate::Clock::now();
  gate.unreachable(t0);
  EXPECT_TRUE(gate.may_try(t0 + 100ms));  // this caller vanishes without a word
  EXPECT_FALSE(gate.may_try(t0 + 150ms));
  EXPECT_TRUE(gate.may_try(t0 + 200ms));  // the next interval brings the next probe
}

}  // namespace
}  // namespace concert::platform
