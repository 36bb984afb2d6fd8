// Gateway callback signatures: t=<unix seconds>,v1=HMAC-SHA256(secret, "<t>.<body>").
#include "platform/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "platform/crypto.hpp"

namespace concert::platform {
namespace {

using namespace std::chrono_literals;

const std::string kSecret = "pg-webhook-secret-0123456789";
const std::string kBody = R"({"paymentId":7,"gatewayTxId":"pg_1","outcome":"APPROVED","amount":50000})";
const auto kAt = std::chrono::system_clock::time_point(1'800'000'000s);

TEST(WebhookSignature, ASignedBodyVerifiesWithinTheTolerance) {
  const auto header = sign_webhook(kSecret, kBody, kAt);
  EXPECT_EQ(header, "t=1800000000,v1=" + hmac_sha256_hex(kSecret, "1800000000." + kBody));
  EXPECT_TRUE(verify_webhook(kSecret, header, kBody, kAt));
  EXPECT_TRUE(verify_webhook(kSecret, header, kBody, kAt + kWebhookTolerance));
  EXPECT_TRUE(verify_webhook(kSecret, header, kBody, kAt - kWebhookTolerance));  // the gateway's clock runs ahead
}

TEST(WebhookSignature, AnythingElseIsUnauthenticated) {
  const auto header = sign_webhook(kSecret, kBody, kAt);
  const auto refused = [&](std::string_view secret, std::string_view h, std::string_view body,
                           std::chrono::system_clock::time_point now) {
    const auto r = verify_webhook(secret, h, body, now);
    return !r && r.error().code == domain::ErrorCode::Unauthenticated;
  };
  EXPECT_TRUE(refused("another-secret-0123456789", header, kBody, kAt));
  EXPECT_TRUE(refused(kSecret, header, kBody + " ", kAt));                 // body changed
  EXPECT_TRUE(refused(kSecret, header, kBody, kAt + kWebhookTolerance + 1s));  // replayed too late
  EXPECT_TRUE(refused(kSecret, header, kBody, kAt - kWebhookTolerance - 1s));
  EXPECT_TRUE(refused("", header, kBody, kAt));  // no secret configured: nothing verifies
  // Another timestamp under the same MAC: the time is signed too.
  EXPECT_TRUE(refused(kSecret, "t=1800000001" + header.substr(header.find(',')), kBody, kAt));
  const std::string zeros(64, '0');
  for (const std::string& bad : std::vector<std::string>{"", "garbage", "v1=abc,t=1800000000", "t=,v1=" + zeros,
                                                         "t=18e8,v1=" + zeros, "t=1800000000;v1=abc",
                                                         "t=1800000000,v1="}) {
    EXPECT_TRUE(refused(kSecret, bad, kBody, kAt)) << bad;
  }
}

}  // namespace
}  // namespace concert::platform
