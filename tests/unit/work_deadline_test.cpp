// The work deadline clips only the first wait for a connection of the work on
// its thread, and only while its scope lives.
#include "platform/work_deadline.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace concert::platform {
namespace {

using namespace std::chrono_literals;
using Clock = WorkDeadline::Clock;

TEST(WorkDeadline, WithoutAScopeAWaitLastsWhatItAsks) {
  const auto before = Clock::now();
  const auto until = WorkDeadline::begin_waiting(2000ms);
  EXPECT_GE(until, before + 2000ms);
}

TEST(WorkDeadline, TheFirstWaitEndsByTheDeadlineAndLaterOnesAreTheWorksOwn) {
  const auto deadline = Clock::now() + 100ms;
  WorkDeadline::Scope scope(deadline);
  EXPECT_EQ(WorkDeadline::begin_waiting(2000ms), deadline);  // work that spent its time queued
  const auto before = Clock::now();
  EXPECT_GE(WorkDeadline::begin_waiting(2000ms), before + 2000ms);  // under way: left to finish
}

TEST(WorkDeadline, ALaterDeadlineDoesNotLengthenAShortWait) {
  WorkDeadline::Scope scope(Clock::now() + 1h);
  const auto before = Clock::now();
  const auto until = WorkDeadline::begin_waiting(50ms);
  EXPECT_GE(until, before + 50ms);
  EXPECT_LT(until, before + 1s);
}

TEST(WorkDeadline, AScopeEndsWithItsWorkAndIsThisThreadsOnly) {
  {
    WorkDeadline::Scope scope(Clock::now() + 10ms);
    Clock::time_point elsewhere{};
    std::thread other([&] { elsewhere = WorkDeadline::begin_waiting(2000ms); });
    other.join();
    EXPECT_GE(elsewhere, Clock::now() + 1500ms);
  }
  const auto before = Clock::now();
  EXPECT_GE(WorkDeadline::begin_waiting(2000ms), before + 2000ms);  // the next task on this thread starts clean
}

}  // namespace
}  // namespace concert::platform
