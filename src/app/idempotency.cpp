#include "app/idempotency.hpp"

#include "app/transaction.hpp"
#include "platform/crypto.hpp"

namespace concert::app {

using domain::ErrorCode;
using domain::fail;

bool should_store(int status) { return status != 409 && status != 429 && status < 500; }

domain::Result<IdempotencyDecision> Idempotency::begin(const IdempotencyScope& s, const std::string& request_body) {
  if (s.key.empty() || s.key.size() > kMaxIdempotencyKeyLength) {
    return fail(ErrorCode::InvalidInput, "Idempotency-Key header must be 1..200 characters");
  }
  ctx_.kpis.idempotency_requests.inc();
  const auto now = ctx_.clock.now();
  ports::IdempotencyRecord fresh{s.user, s.scope, s.key, platform::sha256_hex(request_body), false, 0, "", now};
  auto decision =
      in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<IdempotencyDecision> {
        if (tx.try_insert_idempotency(fresh)) return IdempotencyDecision{};
        auto existing = tx.find_idempotency(s.user, s.scope, s.key);
        if (!existing) return fail(ErrorCode::KeyInFlight, "the key is being released; retry");
        if (existing->request_hash != fresh.request_hash) {
          return fail(ErrorCode::KeyReused, "this Idempotency-Key was used with a different request body");
        }
        if (existing->completed) return IdempotencyDecision{StoredResponse{existing->response_status, existing->response_body}};
        if (now - existing->created_at < ctx_.settings.idempotency_stale_after) {
          return fail(ErrorCode::KeyInFlight, "a request with this Idempotency-Key is still in progress");
        }
        // The first request died with its process; take the key over.
        tx.delete_idempotency(s.user, s.scope, s.key);
        if (!tx.try_insert_idempotency(fresh)) return fail(ErrorCode::KeyInFlight, "the key was taken over; retry");
        return IdempotencyDecision{};
      });
  if (!decision) ctx_.kpis.idempotency_conflicts.inc();
  return decision;
}

void Idempotency::finish(const IdempotencyScope& s, int status, const std::string& body) {
  in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<void> {
    if (should_store(status)) {
      tx.complete_idempotency(s.user, s.scope, s.key, status, body);
    } else {
      tx.delete_idempotency(s.user, s.scope, s.key);
    }
    return {};
  });
}

}  // namespace concert::app
