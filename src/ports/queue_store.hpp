// The waiting queue's storage (SPEC §3 queue token). Embedded: in-process;
// production: Redis. The admission policy (how many to admit, when) lives in the
// app layer; the store only keeps the order and applies the moves atomically.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/types.hpp"

namespace concert::ports {

// The queue holds as many tokens as it is allowed to; new fans get 503 and retry.
struct QueueFull : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct EnterResult {
  domain::QueueToken token;
  bool created = false;  // false: the user already had a live token (same token back)
};

// One promotion, as the admission log keeps it (audits of SPEC I5: FIFO order,
// admission rate, and that a hold came from an admitted fan).
struct Admission {
  std::int64_t seq = 0;  // queue position number; FIFO means promotions in increasing seq
  domain::UserId user_id;
  domain::TimePoint entered_at;
  domain::TimePoint admitted_at;
};

// Admissions each schedule's log keeps (the oldest are dropped past this).
inline constexpr std::size_t kAdmissionLogSize = 200'000;

struct QueueCounts {
  std::int64_t waiting = 0;
  std::int64_t active = 0;
  std::int64_t pre_queue = 0;  // waiting fans whose order is drawn at opening
};

// What a poll can tell from memory alone.
struct PollAnswer {
  bool known = false;                       // false: only status() can tell (a cold start, say)
  std::optional<domain::QueueToken> token;  // when known: the state, or empty if not live
};

class QueueStore {
 public:
  virtual ~QueueStore() = default;
  // Joins the queue or returns the user's live (WAITING/ACTIVE) token. Fans who
  // enter before opening (`pre_open`) wait unordered until shuffle_pre_queue.
  virtual EnterResult enter(domain::Id schedule_id, const domain::UserId& user, domain::TimePoint now,
                            bool pre_open) = 0;
  // A fan's poll from memory: the token's state, or empty if it is unknown, not
  // `user`'s, or no longer live. May lag moves made on other instances by a
  // moment (SPEC §2a: a poll costs no round trip). Never blocks: the IO threads
  // call it. Counts as a poll for the idle timeout.
  virtual PollAnswer try_poll(const std::string& token, const domain::UserId& user, domain::TimePoint now) = 0;
  // try_poll, else status(): may block on the network (blocking-pool threads only).
  std::optional<domain::QueueToken> poll(const std::string& token, const domain::UserId& user, domain::TimePoint now) {
    auto answer = try_poll(token, user, now);
    return answer.known ? answer.token : status(token, user, now);
  }
  // The token's state as the store has it right now (decides who may hold seats).
  virtual std::optional<domain::QueueToken> status(const std::string& token, const domain::UserId& user,
                                                   domain::TimePoint now) = 0;
  // WAITING/ACTIVE -> LEFT; false if the token is not `user`'s live token.
  virtual bool leave(const std::string& token, const domain::UserId& user) = 0;
  // The user's ACTIVE token of that schedule -> USED (frees its slot).
  virtual void mark_used(domain::Id schedule_id, const domain::UserId& user) = 0;
  // Draws the pre-queue's order once (uniformly at random); later entrants queue FIFO behind.
  virtual void shuffle_pre_queue(domain::Id schedule_id, std::uint64_t seed) = 0;
  // Promotes up to `count` waiting fans in FIFO order to ACTIVE until now + ttl;
  // returns the promoted tokens (their entered_at feeds the wait-time KPIs).
  virtual std::vector<domain::QueueToken> promote(domain::Id schedule_id, int count, domain::TimePoint now, domain::Millis active_ttl) = 0;
  // ACTIVE past active_until -> EXPIRED; WAITING not polled since now - idle_ttl -> EXPIRED.
  virtual int expire(domain::Id schedule_id, domain::TimePoint now, domain::Millis waiting_idle_ttl) = 0;
  virtual QueueCounts counts(domain::Id schedule_id) = 0;
  // Admissions (promotions) of that schedule at or after `since`.
  virtual int admitted_since(domain::Id schedule_id, domain::TimePoint since) = 0;
  // The admission log in promotion order: entries with seq > after_seq, at most `limit`.
  virtual std::vector<Admission> admissions(domain::Id schedule_id, std::int64_t after_seq, int limit) = 0;
};

}  // namespace concert::ports
