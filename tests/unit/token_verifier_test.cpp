// The verified-token memory in front of verify_token: it must never accept what
// verify_token would refuse (expiry included), and it stays bounded.
#include "platform/token_verifier.hpp"

#include <gtest/gtest.h>

namespace concert::platform {
namespace {

using namespace std::chrono_literals;
const std::string kSecret = "0123456789abcdef0123456789abcdef";
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

TEST(TokenVerifier, ARememberedTokenStillExpiresOnTime) {
  TokenVerifier verifier(kSecret);
  const auto token = mint_token(kSecret, "alice", "admin", 60s, kNow);
  auto first = verifier.verify(token, kNow);
  auto again = verifier.verify(token, kNow + 30s);
  ASSERT_TRUE(first && again);
  EXPECT_EQ(again->sub, "alice");
  EXPECT_EQ(again->role, "admin");
  EXPECT_EQ(again->expires_at, kNow + 60s);
  auto expired = verifier.verify(token, kNow + 60s);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, domain::ErrorCode::Unauthenticated);
}

TEST(TokenVerifier, RefusesWhatVerifyTokenRefusesEvenAfterASuccess) {
  TokenVerifier verifier(kSecret);
  const auto token = mint_token(kSecret, "alice", std::nullopt, 60s, kNow);
  ASSERT_TRUE(verifier.verify(token, kNow));
  auto tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifier.verify(tampered, kNow));
  EXPECT_FALSE(TokenVerifier("another secret of 32 characters!").verify(token, kNow));
  EXPECT_FALSE(verifier.verify("", kNow));
}

TEST(TokenVerifier, KeepsWorkingPastItsCapacity) {
  TokenVerifier verifier(kSecret, 4);
  for (int i = 0; i < 20; ++i) {
    const auto token = mint_token(kSecret, "fan" + std::to_string(i), std::nullopt, 60s, kNow);
    auto claims = verifier.verify(token, kNow);
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->sub, "fan" + std::to_string(i));
    EXPECT_TRUE(verifier.verify(token, kNow));
  }
}

}  // namespace
}  // namespace concert::platform
