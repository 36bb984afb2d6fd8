// Which Idempotency-Key headers are accepted before any store sees them.
#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace concert::app
