#include "platform/token_verifier.hpp"

namespace concert::platform {

domain::Result<Claims> TokenVerifier::verify(std::string_view token, std::chrono::system_clock::time_point now) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = verified_.find(token); it != verified_.end()) {
      if (it->second.expires_at > now) return it->second;
      verified_.erase(it);  // expired: verify_token below says so in its own words
    }
  }
  auto claims = verify_token(secret_, token, now);
  if (claims) {
    std::lock_guard lock(mutex_);
    if (verified_.size() >= capacity_) verified_.clear();
    verified_.emplace(std::string(token), *claims);
  }
  return claims;
}

}  // namespace concert::platform
