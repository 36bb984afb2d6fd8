// Verifies JWTs as verify_token does, and remembers the ones that passed until
// they expire. A fan polls the queue every second or so with the same token, and
// checking its signature (base64, JSON, HMAC through libjwt) cost more than the
// rest of the poll together (perf, bench/results/). Only successes are kept; a
// bounded map, cleared when full, so memory stays bounded whatever clients send.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "platform/jwt.hpp"

namespace concert::platform {

class TokenVerifier {
 public:
  explicit TokenVerifier(std::string secret, std::size_t capacity = 50'000)
      : secret_(std::move(secret)), capacity_(capacity) {}

  domain::Result<Claims> verify(std::string_view token, std::chrono::system_clock::time_point now);

 private:
  std::string secret_;
  std::size_t capacity_;
  // Looked up by the header's string_view: no copy of the token per request.
  struct TokenHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view token) const { return std::hash<std::string_view>{}(token); }
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Claims, TokenHash, std::equal_to<>> verified_;
};

}  // namespace concert::platform
