// libFuzzer target: the PG-Signature check of the payment gateway's callbacks
// (platform/webhook_signature.hpp), which POST /webhooks/pg runs on what anyone
// may send.
//
// Input: "HEADER\nBODY" (without a newline, all of it is the header of an empty
// body), read two ways:
//  1. verified as sent, at a fixed now: random headers, and libFuzzer's
//     mutations of the seeds, signed with this file's test secret;
//  2. as a gateway holding the secret would sign BODY with HEADER's timestamp:
//     "t=" and HEADER's digits as written (an int64, leading zeros and sign
//     kept), then ",v1=" and the MAC of the number and BODY.
// A violated property aborts:
//  - a header that verifies is "t=<T>,v1=<64 lowercase hex>", the hex is
//    HMAC-SHA256(secret, "<T as a number>.<BODY>"), and T is within the
//    tolerance of now;
//  - a failure is Unauthenticated with a detail;
//  - nothing verifies under an empty secret, or for another body;
//  - a header the gateway signed verifies exactly when its time is within the
//    tolerance of now; and sign_webhook's own headers verify at their time.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "platform/crypto.hpp"
#include "platform/webhook_signature.hpp"

namespace {

using namespace std::chrono_literals;
using concert::domain::ErrorCode;
using concert::platform::hmac_sha256_hex;
using concert::platform::kWebhookTolerance;
using concert::platform::verify_webhook;

// A test-only secret: the seeds in corpus/fuzz_webhook_signature are signed with it.
const std::string kSecret = "fuzz-only-webhook-secret-0123456789";
constexpr std::int64_t kNowSeconds = 1'767'225'600;  // 2026-01-01T00:00:00Z, the seeds' time
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(kNowSeconds));

void check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s\n", property);
  std::abort();
}

bool within_tolerance(std::int64_t t) {
  const __int128 age = static_cast<__int128>(kNowSeconds) - t;
  return age <= kWebhookTolerance.count() && -age <= kWebhookTolerance.count();
}

// The digits of "t=<digits>,..." as written, and their value, if it is an int64.
struct Timestamp {
  std::string_view text;
  std::int64_t value = 0;
};

std::optional<Timestamp> timestamp_of(std::string_view header) {
  if (header.substr(0, 2) != "t=") return std::nullopt;
  const auto digits =
      header.substr(2, header.find(',') == std::string_view::npos ? std::string_view::npos : header.find(',') - 2);
  Timestamp t{digits};
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t.value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return t;
}

bool verifies(std::string_view header, std::string_view body) {
  const auto result = verify_webhook(kSecret, header, body, kNow);
  if (!result) {
    check(result.error().code == ErrorCode::Unauthenticated && !result.error().detail.empty(),
          "a refusal is Unauthenticated with a detail");
    return false;
  }
  const auto t = timestamp_of(header);
  check(t.has_value(), "a header that verifies starts with t=<number>,");
  const auto mac = header.substr(2 + t->text.size());
  check(mac == ",v1=" + hmac_sha256_hex(kSecret, std::to_string(t->value) + "." + std::string(body)),
        "a header that verifies carries the body's MAC");
  check(within_tolerance(t->value), "a header that verifies is within the tolerance");
  check(!verify_webhook("", header, body, kNow), "nothing verifies under an empty secret");
  check(!verify_webhook(kSecret, header, std::string(body) + "x", kNow), "a header verifies for its body only");
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const auto header = input.substr(0, newline);
  const auto body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  verifies(header, body);

  if (const auto t = timestamp_of(header)) {
    const std::string gateway_header = "t=" + std::string(t->text) + ",v1=" +
                                       hmac_sha256_hex(kSecret, std::to_string(t->value) + "." + std::string(body));
    check(verifies(gateway_header, body) == within_tolerance(t->value),
          "a signed header verifies exactly within the tolerance");
    // sign_webhook's own headers, at a time the duration can hold.
    if (t->value > -(INT64_MAX / 1'000'000'000) && t->value < INT64_MAX / 1'000'000'000) {
      const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(t->value));
      check(verify_webhook(kSecret, concert::platform::sign_webhook(kSecret, body, at), body, at).has_value(),
            "sign_webhook's header verifies at its time");
    }
  }
  return 0;
}
