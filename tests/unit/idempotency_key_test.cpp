// Which Idempotency-Key headers are accepted before any store sees them.
#include <gtest/gtest.h>

#include <string>

#include "adapters/http/problem.hpp"
#include "app/idempotency.hpp"

namespace concert::app {
namespace {

TEST(IdempotencyKey, AcceptsOneTo200VisibleAsciiCharacters) {
  EXPECT_TRUE(validate_idempotency_key("k"));
  EXPECT_TRUE(validate_idempotency_key("pay-1_A.b~!\"#$%&'()*+,/:;<=>?@[\\]^`{|}"));
  EXPECT_TRUE(validate_idempotency_key(std::string(200, 'x')));
}

TEST(IdempotencyKey, RefusesEmptyTooLongAndAnyOtherByteAsInvalidInput) {
  for (const std::string& key :
       {std::string(), std::string(201, 'x'), std::string("a b"), std::string("a\tb"), std::string("\xff"),
        std::string("caf\xc3\xa9"), std::string("a\x7f"), std::string("a\0b", 3)}) {
    const auto result = validate_idempotency_key(key);
    ASSERT_FALSE(result) << key;
    EXPECT_EQ(result.error().code, domain::ErrorCode::InvalidInput);
  }
}

// SPEC §4 says it in statuses: "409, 429 and 5xx answers are not stored". The
// code decides (domain::may_retry); the HTTP table must render exactly those
// codes with exactly those statuses.
TEST(IdempotencyKey, TheCodesNotStoredAreExactlyThoseAnswered409429Or5xx) {
  for (int c = 0; c <= static_cast<int>(domain::ErrorCode::GatewayUnavailable); ++c) {  // the last code
    const auto code = static_cast<domain::ErrorCode>(c);
    if (code == domain::ErrorCode::Replayed) continue;  // never rendered: the stored answer is sent
    const int status = http::status_of(code);
    EXPECT_EQ(domain::may_retry(code), status == 409 || status == 429 || status >= 500) << c << " -> " << status;
  }
}

}  // namespace
}  // namespace concert::app
