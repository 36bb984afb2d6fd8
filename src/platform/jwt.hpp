// HS256 JSON Web Tokens through libjwt: users authenticate with them (SPEC §4)
// and `concertd token` mints them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "domain/errors.hpp"

namespace concert::platform {

struct Claims {
  std::string sub;
  std::optional<std::string> role;
  std::chrono::system_clock::time_point expires_at;
};

std::string mint_token(const std::string& secret, const std::string& sub, std::optional<std::string> role,
                       std::chrono::seconds ttl, std::chrono::system_clock::time_point now);

// Only HS256 with a valid signature, an `exp` in the future and a non-empty `sub`.
domain::Result<Claims> verify_token(const std::string& secret, std::string_view token,
                                    std::chrono::system_clock::time_point now);

}  // namespace concert::platform
