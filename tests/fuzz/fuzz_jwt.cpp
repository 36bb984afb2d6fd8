// libFuzzer target: verify_token and TokenVerifier (platform/jwt.hpp,
// platform/token_verifier.hpp), the check every authenticated request passes.
//
// Input, read three ways:
//  1. as a token, verified as sent: random bytes, and libFuzzer's mutations of
//     the signed seeds (a mutation of a signed token breaks its signature);
//  2. as claims JSON, "HEADER\nPAYLOAD" (or PAYLOAD alone, under an HS256
//     header), encoded and signed here with the secret, so that the checks after
//     the signature (algorithm, exp, sub) see arbitrary claims;
//  3. as "SUB\nROLE" (ROLE absent without a newline), minted by mint_token.
// A violated property aborts:
//  - a token that verifies was signed with the secret: its third segment is the
//    base64url HMAC-SHA256, under the secret, of the first two (so its algorithm
//    is HS256 and nothing else passes);
//  - its claims keep verify_token's promises: a sub of 1..128 bytes, an expiry
//    after now, in whole seconds;
//  - a failure is Unauthenticated with a detail;
//  - TokenVerifier answers as verify_token does, again from its cache, and
//    refuses the token once it has expired;
//  - a minted token verifies to its sub and role (each up to a NUL, as libjwt
//    reads C strings) and expires at now + ttl, unless its sub is empty or over
//    128 bytes; minting throws only std::runtime_error (libjwt refuses a string
//    that is not UTF-8).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "platform/crypto.hpp"
#include "platform/jwt.hpp"
#include "platform/token_verifier.hpp"

namespace {

using namespace std::chrono_literals;
using concert::domain::ErrorCode;
using concert::platform::Claims;
using concert::platform::verify_token;

// A test-only secret: the seeds in corpus/fuzz_jwt are signed with it.
const std::string kSecret = "fuzz-only-jwt-secret-0123456789";
// 2026-01-01T00:00:00Z; the seeds expire in 2100.
const auto kNow = std::chrono::system_clock::time_point(1'767'225'600s);
constexpr auto kTtl = 3600s;

void check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s\n", property);
  std::abort();
}

std::string base64url(std::string_view bytes) {
  std::string s = concert::platform::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

std::string hmac_base64url(std::string_view data) {
  const std::string hex = concert::platform::hmac_sha256_hex(kSecret, data);
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    raw += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  return base64url(raw);
}

// The token's signature is ours: the text after the second dot signs the text before it.
bool signed_with_the_secret(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return false;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return false;
  return token.substr(second + 1) == hmac_base64url(token.substr(0, second));
}

bool same(const concert::domain::Result<Claims>& a, const concert::domain::Result<Claims>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return a.error().code == b.error().code;
  return a->sub == b->sub && a->role == b->role && a->expires_at == b->expires_at;
}

concert::platform::TokenVerifier& verifier() {
  // Small, so that the fuzzer also fills it and it clears itself.
  static auto* v = new concert::platform::TokenVerifier(kSecret, 8);
  return *v;
}

// Verifies `token` directly and through TokenVerifier, checks the promises, and returns the claims.
concert::domain::Result<Claims> verify(std::string_view token) {
  auto claims = verify_token(kSecret, token, kNow);
  if (!claims) {
    check(claims.error().code == ErrorCode::Unauthenticated && !claims.error().detail.empty(),
          "a refusal is Unauthenticated with a detail");
  } else {
    check(signed_with_the_secret(token), "a token that verifies was signed with the secret");
    check(!claims->sub.empty() && claims->sub.size() <= 128, "sub has 1..128 bytes");
    check(claims->expires_at > kNow, "a token that verifies has not expired");
    check(claims->expires_at.time_since_epoch() % 1s == 0s, "exp is whole seconds");
  }
  check(same(verifier().verify(token, kNow), claims), "TokenVerifier answers as verify_token");
  check(same(verifier().verify(token, kNow), claims), "TokenVerifier answers as verify_token from its cache");
  if (claims) check(!verifier().verify(token, claims->expires_at), "TokenVerifier refuses an expired token");
  return claims;
}

std::string up_to_nul(const std::string& s) { return s.substr(0, s.find('\0')); }

void check_minted(const std::string& sub, const std::optional<std::string>& role) {
  std::string token;
  try {
    token = concert::platform::mint_token(kSecret, sub, role, kTtl, kNow);
  } catch (const std::runtime_error&) {
    return;  // libjwt refused the claims (not UTF-8)
  }
  const auto claims = verify(token);
  const auto expected_sub = up_to_nul(sub);
  if (expected_sub.empty() || expected_sub.size() > 128) {
    check(!claims, "a minted token with an empty or oversized sub does not verify");
    return;
  }
  check(claims.has_value(), "a minted token verifies");
  check(claims->sub == expected_sub, "a minted token keeps its sub");
  check(claims->role == (role ? std::optional(up_to_nul(*role)) : std::nullopt), "a minted token keeps its role");
  check(claims->expires_at == kNow + kTtl, "a minted token expires after its ttl");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  verify(input);

  const auto newline = input.find('\n');
  const std::string header = newline == std::string::npos ? R"({"alg":"HS256","typ":"JWT"})" : input.substr(0, newline);
  const std::string payload = newline == std::string::npos ? input : input.substr(newline + 1);
  const std::string unsigned_token = base64url(header) + "." + base64url(payload);
  verify(unsigned_token + "." + hmac_base64url(unsigned_token));

  if (newline == std::string::npos) {
    check_minted(input, std::nullopt);
  } else {
    check_minted(input.substr(0, newline), input.substr(newline + 1));
  }
  return 0;
}
