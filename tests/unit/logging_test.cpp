// platform/logging: JSON lines, W3C traceparent parsing
// (https://www.w3.org/TR/trace-context/) and request ids.
#include "platform/logging.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace concert::platform {
namespace {

const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string kParent = "00f067aa0ba902b7";

TEST(Traceparent, ValidHeaderYieldsTheTraceId) {
  EXPECT_EQ(trace_id_from_traceparent("00-" + kTrace + "-" + kParent + "-01"), kTrace);
  EXPECT_EQ(trace_id_from_traceparent("00-" + kTrace + "-" + kParent + "-00"), kTrace);  // not sampled
  EXPECT_EQ(trace_id_from_traceparent("00-" + kTrace + "-" + kParent + "-ff"), kTrace);  // unknown flags are kept
}

TEST(Traceparent, InvalidHeadersAreIgnored) {
  const std::string upper_trace = "4BF92F3577B34DA6A3CE929D0E0E4736";
  const std::string cases[] = {
      "",
      "garbage",
      "00-" + kTrace + "-" + kParent,                                   // no flags
      "00-" + kTrace + "-" + kParent + "-1",                            // flags too short
      "00-" + kTrace + "-" + kParent + "-01-",                          // version 00 has exactly four fields
      "00-" + kTrace + "-" + kParent + "-01-extra",                     // likewise
      "00-" + kTrace.substr(1) + "-" + kParent + "-01",                 // trace id 31 digits
      "00-" + kTrace + "a-" + kParent + "-01",                          // trace id 33 digits
      "00-" + upper_trace + "-" + kParent + "-01",                      // uppercase hex is invalid
      "00-" + kTrace + "-00F067AA0BA902B7-01",                          // uppercase parent id
      "00-" + std::string(32, '0') + "-" + kParent + "-01",             // all-zero trace id
      "00-" + kTrace + "-" + std::string(16, '0') + "-01",              // all-zero parent id
      "ff-" + kTrace + "-" + kParent + "-01",                           // version ff is forbidden
      "0g-" + kTrace + "-" + kParent + "-01",                           // version not hex
      "00-" + kTrace + "-" + kParent + "-0x",                           // flags not hex
      "00_" + kTrace + "_" + kParent + "_01",                           // wrong separators
      "00-" + kTrace.substr(0, 31) + "z-" + kParent + "-01",            // non-hex trace digit
      " 00-" + kTrace + "-" + kParent + "-0",                           // leading space, same length
  };
  for (const auto& header : cases) {
    EXPECT_EQ(trace_id_from_traceparent(header), std::nullopt) << "'" << header << "'";
  }
}

// W3C Trace Context §3.2.4 (versioning): a header of a higher version than 00
// may be longer; a parser should still read trace-id, parent-id and flags when
// the 56th character is a dash.
TEST(Traceparent, HigherVersionWithExtraFieldsStillYieldsTheTraceId) {
  EXPECT_EQ(trace_id_from_traceparent("01-" + kTrace + "-" + kParent + "-01"), kTrace);
  EXPECT_EQ(trace_id_from_traceparent("cc-" + kTrace + "-" + kParent + "-01-what-the-future-will-be-like"), kTrace);
  // ...but not when the flags run on without a dash.
  EXPECT_EQ(trace_id_from_traceparent("cc-" + kTrace + "-" + kParent + "-01what"), std::nullopt);
}

// What one log_json call writes to stdout, parsed.
nlohmann::ordered_json logged(const nlohmann::json& fields) {
  ::testing::internal::CaptureStdout();
  log_json(spdlog::level::warn, fields);
  const auto out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.back(), '\n');
  return nlohmann::ordered_json::parse(out);
}

TEST(LogJson, WritesOneObjectWithTsAndLevelFirst) {
  const auto line = logged({{"msg", "hello"}, {"n", 1}, {"ts", "mine"}, {"level", "mine"}});
  std::vector<std::string> keys;
  for (const auto& [key, value] : line.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"ts", "level", "msg", "n"}));
  EXPECT_NE(line["ts"], "mine");  // the line's own ts and level win
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["n"], 1);
}

TEST(LogJson, AnEmptyObjectOrAPlainValueStillMakesAValidLine) {
  EXPECT_EQ(logged(nlohmann::json::object()).size(), 2u);
  EXPECT_EQ(logged("plain text")["msg"], "plain text");
}

TEST(RequestId, IsHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    const auto id = new_request_id();
    ASSERT_FALSE(id.empty());
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10'000u);
}

}  // namespace
}  // namespace concert::platform
