// The embedded waiting queue: all state in this process, one mutex. A poll is a
// hash lookup. Positions follow the serving-counter scheme of SPEC §2a: a fan's
// position is their sequence number minus the last promoted sequence number, so
// fans who left ahead of you still count until the promoter passes them.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ports/queue_store.hpp"

namespace concert::adapters::inproc {

class InprocQueueStore final : public ports::QueueStore {
 public:
  // At most `max_tokens` live tokens at once; enter() beyond that throws
  // ports::QueueFull so memory stays bounded.
  explicit InprocQueueStore(std::size_t max_tokens = 2'000'000);

  ports::EnterResult enter(domain::Id schedule_id, const domain::UserId& user, domain::TimePoint now,
                           bool pre_open) override;
  ports::PollAnswer try_poll(const std::string& token, const domain::UserId& user, domain::TimePoint now) override;
  std::optional<domain::QueueToken> status(const std::string& token, const domain::UserId& user,
                                           domain::TimePoint now) override;
  bool leave(const std::string& token, const domain::UserId& user) override;
  void mark_used(domain::Id schedule_id, const domain::UserId& user) override;
  void shuffle_pre_queue(domain::Id schedule_id, std::uint64_t seed) override;
  std::vector<domain::QueueToken> promote(domain::Id schedule_id, int count, domain::TimePoint now,
                                          domain::Millis active_ttl) override;
  int expire(domain::Id schedule_id, domain::TimePoint now, domain::Millis waiting_idle_ttl) override;
  ports::QueueCounts counts(domain::Id schedule_id) override;
  int admitted_since(domain::Id schedule_id, domain::TimePoint since) override;
  std::vector<ports::Admission> admissions(domain::Id schedule_id, std::int64_t after_seq, int limit) override;

  // The whole queue as JSON, and back into an empty store, so the embedded
  // profile keeps it across a restart (QueueSnapshotFile; queue_store_snapshot.cpp).
  nlohmann::json snapshot() const;
  void restore(const nlohmann::json& snapshot);  // throws nlohmann::json::exception on a malformed one
  std::uint64_t version() const;                 // changes with every move: whether a snapshot is out of date

 private:
  struct Entry {
    domain::QueueToken token;
    std::int64_t seq = 0;  // 0 while in the unordered pre-queue
    domain::TimePoint last_seen;
  };
  struct Line {
    std::int64_t next_seq = 1;
    std::int64_t serving_seq = 0;                 // seq of the last fan promoted
    std::map<std::int64_t, std::string> waiting;  // seq -> token, FIFO
    std::vector<std::string> pre_queue;           // entered before opening, order not yet drawn
    bool pre_queue_drawn = false;
    std::set<std::pair<domain::TimePoint, std::string>> active;  // by active_until
    std::deque<domain::TimePoint> admissions;                    // recent promotion times, oldest first
    std::deque<ports::Admission> log;                            // the admission log, increasing seq, bounded
  };

  Line& line(domain::Id schedule_id);
  void draw_pre_queue(Line& line, std::uint64_t seed);
  void finish(Entry& entry, domain::TokenStatus status);  // removes a token that is no longer live
  domain::QueueToken view(const Entry& entry, const Line& line) const;

  mutable std::mutex mutex_;
  std::size_t max_tokens_;
  std::uint64_t version_ = 0;
  std::unordered_map<std::string, Entry> tokens_;
  std::map<std::pair<domain::Id, domain::UserId>, std::string> live_by_user_;
  std::unordered_map<domain::Id, Line> lines_;
};

}  // namespace concert::adapters::inproc
