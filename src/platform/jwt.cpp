#include "platform/jwt.hpp"

#include <jwt.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace concert::platform {

namespace {

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

struct FreeString {
  void operator()(char* s) const { free(s); }  // libjwt 1.10 returns malloc()ed strings
};

long long seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

const auto* key_bytes(const std::string& secret) { return reinterpret_cast<const unsigned char*>(secret.data()); }

domain::Result<Claims> reject(const std::string& why) {
  return domain::fail(domain::ErrorCode::Unauthenticated, "invalid token: " + why);
}

}  // namespace

std::string mint_token(const std::string& secret, const std::string& sub, std::optional<std::string> role,
                       std::chrono::seconds ttl, std::chrono::system_clock::time_point now) {
  if (secret.empty()) throw std::invalid_argument("mint_token needs a secret");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  JwtPtr token(raw);
  const auto iat = seconds_since_epoch(now);
  if (jwt_add_grant(token.get(), "sub", sub.c_str()) != 0 || jwt_add_grant_int(token.get(), "iat", iat) != 0 ||
      jwt_add_grant_int(token.get(), "exp", iat + ttl.count()) != 0 ||
      (role && jwt_add_grant(token.get(), "role", role->c_str()) != 0) ||
      jwt_set_alg(token.get(), JWT_ALG_HS256, key_bytes(secret), static_cast<int>(secret.size())) != 0) {
    throw std::runtime_error("could not build the JWT");
  }
  std::unique_ptr<char, FreeString> encoded(jwt_encode_str(token.get()));
  if (!encoded) throw std::runtime_error("could not encode the JWT");
  return encoded.get();
}

domain::Result<Claims> verify_token(const std::string& secret, std::string_view token,
                                    std::chrono::system_clock::time_point now) {
  // An empty key would make the HMAC forgeable by anyone; config never allows one.
  if (secret.empty()) return reject("no secret is configured");
  if (token.empty() || token.size() > 4096) return reject("missing or oversized");
  // Only base64url and dots: libjwt reads a C string, so a NUL would hide whatever follows it.
  constexpr std::string_view kTokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  if (token.find_first_not_of(kTokenChars) != std::string_view::npos) return reject("malformed");
  const std::string text(token);
  jwt_t* raw = nullptr;
  // jwt_decode verifies the signature with the key for the token's algorithm.
  if (jwt_decode(&raw, text.c_str(), key_bytes(secret), static_cast<int>(secret.size())) != 0 || !raw) {
    return reject("bad signature or malformed");
  }
  JwtPtr decoded(raw);
  // Pin the algorithm: never accept "none" or an algorithm we did not issue.
  if (jwt_get_alg(decoded.get()) != JWT_ALG_HS256) return reject("algorithm must be HS256");
  errno = 0;
  const long exp = jwt_get_grant_int(decoded.get(), "exp");
  if (errno != 0) return reject("exp must be an integer claim");
  if (exp <= seconds_since_epoch(now)) return reject("expired");
  // system_clock counts nanoseconds: an exp past 2262 overflows the time_point built
  // below (signed overflow, found by tests/fuzz/fuzz_jwt).
  constexpr auto kMaxExp =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max()).count();
  if (exp > kMaxExp) return reject("exp is out of range");
  const char* sub = jwt_get_grant(decoded.get(), "sub");
  if (!sub || !*sub || std::string_view(sub).size() > 128) return reject("sub must be a non-empty string");
  Claims claims{sub, std::nullopt, std::chrono::system_clock::time_point(std::chrono::seconds(exp))};
  if (const char* role = jwt_get_grant(decoded.get(), "role")) claims.role = role;
  return claims;
}

}  // namespace concert::platform
