// Idempotency-Key handling (SPEC §4). A request's key is claimed (recorded as in
// flight) and its answer stored inside the use case's own write transactions, so
// a key costs no transaction of its own: a hold stays one transaction, a payment
// two. A replay with the same body gets the stored answer. What is stored is
// decided from the outcome's error code (domain::may_retry): the conflicts that
// may clear and the unavailable dependencies, which HTTP renders as 409 and 503
// (SPEC §4: "409, 429 and 5xx answers are not stored"), are not, so the client
// may retry them.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "app/context.hpp"
#include "app/transaction.hpp"
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

inline constexpr std::size_t kMaxIdempotencyKeyLength = 200;

domain::Result<void> validate_idempotency_key(const std::string& key);
// What a key's record remembers of its request: a digest of method, path and body.
std::string request_hash_of(const std::string& request_fingerprint);

// What claiming a key found: nothing (the key is now ours), a stored answer to
// replay, or a conflict (KeyInFlight, KeyReused).
using Claim = domain::Result<std::optional<StoredResponse>>;

// The key records, read and written inside the caller's transaction.
class Idempotency {
 public:
  explicit Idempotency(AppContext& ctx) : ctx_(ctx) {}

  // Records the key as in flight for this request (identified by its hash).
  // `taken_over` (if given) tells whether it was in flight for a request whose
  // instance died: that request had committed its first transaction.
  Claim claim(ports::Tx& tx, const IdempotencyScope& scope, const std::string& request_hash,
              bool* taken_over = nullptr);
  // The answer stored under the key for this very request, if there is one.
  std::optional<StoredResponse> stored_answer(ports::Tx& tx, const IdempotencyScope& scope,
                                              const std::string& request_hash);
  // Stores the answer as the key's (`final`), or frees the key: the client may
  // retry an answer that is not final (domain::may_retry).
  void settle(ports::Tx& tx, const IdempotencyScope& scope, const StoredResponse& answer, bool final);

  AppContext& context() { return ctx_; }

 private:
  // Whether the instance that claimed an in-flight key may still be at work on it.
  bool owner_alive(ports::Tx& tx, const ports::IdempotencyRecord& record, domain::TimePoint now);

  AppContext& ctx_;
};

// What a keyed request answers: the response stored under its key before, or
// a result of this run (the use case's own, or a conflict over the key).
template <typename T>
struct KeyedAnswer {
  std::optional<StoredResponse> replay;
  domain::Result<T> result;
};

// One request under an Idempotency-Key, as its use case sees it (T: what the use
// case returns; `render` turns that into the response the client gets).
//   - claim(tx) first in the use case's first write transaction. An error means
//     the key was seen before: the use case returns it at once (rolling back);
//   - settle(tx, answer) in the transaction that decides the answer;
//   - answer(result) afterwards gives the response. Only when no transaction of
//     the use case stored it (a refusal before or outside them, or a rolled-back
//     one) does it take a transaction of its own.
template <typename T>
class Keyed {
 public:
  using Render = std::function<StoredResponse(const domain::Result<T>&)>;

  Keyed(Idempotency& idempotency, IdempotencyScope scope, const std::string& request_fingerprint, Render render)
      : idempotency_(idempotency),
        scope_(std::move(scope)),
        request_hash_(request_hash_of(request_fingerprint)),
        render_(std::move(render)) {}

  domain::Result<void> claim(ports::Tx& tx) {
    auto claim = idempotency_.claim(tx, scope_, request_hash_, &taken_over_);
    if (!claim) {
      refused_ = true;
      return tl::unexpected(claim.error());
    }
    if (*claim) {
      replay_ = std::move(**claim);
      return domain::fail(domain::ErrorCode::Replayed, "the answer stored under this Idempotency-Key stands");
    }
    tx.after_commit([this] { claim_committed_ = true; });
    return {};
  }

  void settle(ports::Tx& tx, const domain::Result<T>& answer) {
    idempotency_.settle(tx, scope_, render_(answer), is_final(answer));
    tx.after_commit([this] { settled_ = true; });
  }

  // The key was in flight for this same request on an instance that died: the
  // use case resumes what that request's first transaction decided.
  bool taken_over() const { return taken_over_; }

  KeyedAnswer<T> answer(domain::Result<T> result) {
    idempotency_.context().kpis.idempotency_requests.inc();
    if (replay_) return {replay_, std::move(result)};
    if (settled_ || refused_) return {std::nullopt, std::move(result)};
    return answer_alone(std::move(result));
  }

 private:
  static bool is_final(const domain::Result<T>& result) { return result || !domain::may_retry(result.error().code); }

  // The use case ended without storing its answer.
  KeyedAnswer<T> answer_alone(domain::Result<T> result) {
    auto& store = idempotency_.context().store;
    const auto response = render_(result);
    if (claim_committed_) {  // the key is ours, still in flight: store the answer or free the key
      in_transaction(store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<void> {
        idempotency_.settle(tx, scope_, response, is_final(result));
        return {};
      });
      return {std::nullopt, std::move(result)};
    }
    // Refused before the key was claimed, or the claim rolled back with its
    // transaction. An answer stored for this request wins (a retry of one that
    // succeeded is refused now: its seats are taken, its token used).
    if (!is_final(result)) {
      return {idempotency_.stored_answer(*store.begin(ports::TxMode::Read), scope_, request_hash_), std::move(result)};
    }
    auto claim = in_transaction(store, ports::TxMode::Write, [&](ports::Tx& tx) -> Claim {
      auto claim = idempotency_.claim(tx, scope_, request_hash_);
      if (claim && !*claim) idempotency_.settle(tx, scope_, response, true);
      return claim;
    });
    if (!claim) return {std::nullopt, tl::unexpected(claim.error())};
    return {*claim, std::move(result)};
  }

  Idempotency& idempotency_;
  IdempotencyScope scope_;
  std::string request_hash_;
  Render render_;
  std::optional<StoredResponse> replay_;
  bool refused_ = false;  // in flight elsewhere, or used with another body
  bool taken_over_ = false;
  bool claim_committed_ = false;
  bool settled_ = false;
};

// Use cases take their key as a pointer: tools and tests call them without one.
template <typename T>
domain::Result<void> claim_key(Keyed<T>* key, ports::Tx& tx) {
  return key ? key->claim(tx) : domain::Result<void>{};
}

template <typename T>
void settle_key(Keyed<T>* key, ports::Tx& tx, const domain::Result<T>& answer) {
  if (key) key->settle(tx, answer);
}

}  // namespace concert::app
