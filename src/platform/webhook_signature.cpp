#include "platform/webhook_signature.hpp"

#include <charconv>

#include "platform/crypto.hpp"

namespace concert::platform {

namespace {

using domain::ErrorCode;
using domain::fail;

std::string mac_of(std::string_view secret, std::int64_t t, std::string_view body) {
  std::string signed_text = std::to_string(t);
  signed_text += '.';
  signed_text += body;
  return hmac_sha256_hex(secret, signed_text);
}

}  // namespace

std::string sign_webhook(std::string_view secret, std::string_view body, std::chrono::system_clock::time_point at) {
  const auto t = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  return "t=" + std::to_string(t) + ",v1=" + mac_of(secret, t, body);
}

domain::Result<void> verify_webhook(std::string_view secret, std::string_view header, std::string_view body,
                                    std::chrono::system_clock::time_point now, std::chrono::seconds tolerance) {
  if (secret.empty()) return fail(ErrorCode::Unauthenticated, "gateway callbacks are not configured on this server");
  // Exactly "t=<digits>,v1=<64 hex>": anything else is refused, not guessed at.
  const auto comma = header.find(',');
  if (header.substr(0, 2) != "t=" || comma == std::string_view::npos || header.substr(comma + 1, 3) != "v1=") {
    return fail(ErrorCode::Unauthenticated, "a PG-Signature header t=<unix seconds>,v1=<hex> is required");
  }
  const auto digits = header.substr(2, comma - 2);
  std::int64_t t = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), t);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return fail(ErrorCode::Unauthenticated, "the PG-Signature timestamp is not a number");
  }
  if (!constant_time_equals(header.substr(comma + 4), mac_of(secret, t, body))) {
    return fail(ErrorCode::Unauthenticated, "the PG-Signature does not match the body");
  }
  // Compared as bounds on t: now - t overflowed for a t near INT64_MIN (signed, so only
  // the secret's holder could send one; tests/fuzz/fuzz_webhook_signature keeps the case).
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (t < now_s - tolerance.count() || t > now_s + tolerance.count()) {
    return fail(ErrorCode::Unauthenticated,
                "the PG-Signature timestamp is outside the tolerance of " + std::to_string(tolerance.count()) + " s");
  }
  return {};
}

}  // namespace concert::platform
