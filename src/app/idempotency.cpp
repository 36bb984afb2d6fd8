#include "app/idempotency.hpp"

#include "platform/crypto.hpp"

namespace concert::app {

using domain::ErrorCode;
using domain::fail;

domain::Result<void> validate_idempotency_key(const std::string& key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength) {
    return fail(ErrorCode::InvalidInput, "Idempotency-Key header must be 1..200 characters");
  }
  // Visible ASCII only (the header is an sf-string in draft-ietf-httpapi-idempotency-key-header):
  // other bytes are not valid text for every store's key column, and would be compared differently by each.
  for (const unsigned char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return fail(ErrorCode::InvalidInput, "Idempotency-Key header must be visible ASCII characters");
    }
  }
  return {};
}

std::string request_hash_of(const std::string& request_fingerprint) {
  return platform::sha256_hex(request_fingerprint);
}

bool Idempotency::owner_alive(ports::Tx& tx, const ports::IdempotencyRecord& record, domain::TimePoint now) {
  const bool stale = now - record.created_at >= ctx_.settings.idempotency_stale_after;
  // Our own request, or one claimed before owners were recorded: only age tells.
  if (record.owner.empty() || record.owner == ctx_.settings.instance_id) return !stale;
  const auto seen = tx.last_heartbeat(record.owner);
  return seen && now - *seen < ctx_.settings.owner_dead_after && !stale;
}

Claim Idempotency::claim(ports::Tx& tx, const IdempotencyScope& s, const std::string& request_hash, bool* taken_over) {
  const auto now = ctx_.clock.now();
  const ports::IdempotencyRecord fresh{
      s.user, s.scope, s.key, request_hash, false, 0, "", now, ctx_.settings.instance_id};
  if (tx.try_insert_idempotency(fresh)) return std::nullopt;
  auto conflict = [this](ErrorCode code, const char* detail) -> Claim {
    ctx_.kpis.idempotency_conflicts.inc();
    return fail(code, detail);
  };
  auto existing = tx.find_idempotency(s.user, s.scope, s.key);
  if (!existing) return conflict(ErrorCode::KeyInFlight, "the key is being released; retry");
  if (existing->request_hash != request_hash) {
    return conflict(ErrorCode::KeyReused, "this Idempotency-Key was used with a different request body");
  }
  if (existing->completed) return StoredResponse{existing->response_status, existing->response_body};
  if (owner_alive(tx, *existing, now)) {
    return conflict(ErrorCode::KeyInFlight, "a request with this Idempotency-Key is still in progress");
  }
  // The first request died with its process; take the key over.
  tx.delete_idempotency(s.user, s.scope, s.key);
  if (!tx.try_insert_idempotency(fresh)) return conflict(ErrorCode::KeyInFlight, "the key was taken over; retry");
  if (taken_over) *taken_over = true;
  return std::nullopt;
}

std::optional<StoredResponse> Idempotency::stored_answer(ports::Tx& tx, const IdempotencyScope& s,
                                                         const std::string& request_hash) {
  auto existing = tx.find_idempotency(s.user, s.scope, s.key);
  if (!existing || !existing->completed || existing->request_hash != request_hash) return std::nullopt;
  return StoredResponse{existing->response_status, existing->response_body};
}

void Idempotency::settle(ports::Tx& tx, const IdempotencyScope& s, const StoredResponse& answer, bool final) {
  if (final) {
    tx.complete_idempotency(s.user, s.scope, s.key, answer.status, answer.body);
  } else {
    tx.delete_idempotency(s.user, s.scope, s.key);
  }
}

}  // namespace concert::app
