// Idempotency-Key handling (SPEC §4): the first request with a key is recorded
// as in flight; its response is stored when it finishes, and a replay with the
// same body gets that stored response. 409, 429 and 5xx answers are not stored
// so the client may retry them.
#pragma once

#include <string>

#include "app/context.hpp"
#include "domain/errors.hpp"

namespace concert::app {

struct IdempotencyScope {
  domain::UserId user;
  std::string scope;  // which operation the key belongs to
  std::string key;
};

struct StoredResponse {
  int status = 0;
  std::string body;
};

// What to do with a request: run it (nothing stored) or replay a stored answer.
struct IdempotencyDecision {
  std::optional<StoredResponse> replay;
};

inline constexpr std::size_t kMaxIdempotencyKeyLength = 200;

class Idempotency {
 public:
  explicit Idempotency(AppContext& ctx) : ctx_(ctx) {}

  // KeyInFlight while the first request runs; KeyReused if the body differs.
  domain::Result<IdempotencyDecision> begin(const IdempotencyScope& scope, const std::string& request_body);
  void finish(const IdempotencyScope& scope, int status, const std::string& body);

 private:
  AppContext& ctx_;
};

bool should_store(int status);

}  // namespace concert::app
