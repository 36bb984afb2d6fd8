// One schedule's queue as this instance last saw it in Redis: the serving
// counter, the active fans and the fans who left, replayed from the schedule's
// move log (lua/refresh-11.lua). A poll is answered from it in memory (SPEC §2a);
// what it cannot answer for sure (a fan who entered on another instance a
// moment ago, a cold start) it sends to Redis. Not thread-safe: the owner locks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "adapters/redis/queue_ticket.hpp"
#include "domain/types.hpp"

namespace concert::adapters::redis {

// One entry of a schedule's move log: a fan admitted (active until then) or gone.
struct QueueMove {
  std::string ticket;
  std::optional<domain::TimePoint> active_until;  // empty: left, used or expired
};

// What refresh-11.lua returns.
struct QueueRefresh {
  std::int64_t serving_seq = 0;
  std::int64_t last_seq = 0;
  bool drawn = false;
  std::int64_t drawn_base = 0;
  std::int64_t drawn_count = 0;
  std::int64_t oldest_move = 0;   // 0: none logged
  std::int64_t latest_move = 0;   // the log's number (meta.moves)
  std::int64_t restored_seq = 0;  // tickets up to it were handed out before Redis lost the queue
  std::int64_t restored_pre = 0;  // pre-queue tickets up to it, the same
  std::int64_t pre_count = 0;     // pre-queue tickets handed out ("p1".."p<pre_count>")
  std::vector<QueueMove> moves;
  std::vector<std::pair<std::string, domain::TimePoint>> active;  // cold start only
};

class ServingSnapshot {
 public:
  enum class Verdict { Ask, Gone, Waiting, PreQueue, Active };
  struct Answer {
    Verdict verdict = Verdict::Ask;
    std::int64_t position = 0;       // Waiting
    domain::TimePoint active_until;  // Active
  };

  // Answers a poll; a waiting fan's poll is kept for the idle timeout.
  Answer answer(const Ticket& ticket, domain::TimePoint now);

  // A fan entered here with this ticket: polls for it need not ask Redis, and a
  // Redis that lost the queue must not hand its number out again.
  void note_entered(const Ticket& ticket);
  // Redis knows this ticket (again), waiting at `seq` if not 0: a ticket handed
  // out before Redis lost the queue is sent to Redis until then, so it can take
  // its place again there.
  void note_back(const Ticket& ticket, std::int64_t seq);
  // The move number to replay from; 0 asks for a cold start (moves and active set).
  std::int64_t cursor() const { return cursor_; }
  // The highest numbers seen: what Redis must never go below.
  std::int64_t last_seq() const { return last_seq_; }
  std::int64_t serving_seq() const { return serving_seq_; }
  std::int64_t pre_count() const { return pre_count_; }
  // Replays one page of moves. A warm snapshot that fell behind the log's
  // trimming starts over cold (its cursor drops to 0); so does one that finds
  // Redis behind it (a counter went back: Redis lost the queue), remembering how
  // far it had seen for take_lost().
  void apply(const QueueRefresh& refresh);
  // How far this snapshot had seen the queue before Redis lost it, once.
  struct Lost {
    std::int64_t last_seq = 0;
    std::int64_t serving_seq = 0;
    std::int64_t moves = 0;
    std::int64_t pre_count = 0;
    bool was_drawn = false;
    std::vector<std::pair<std::string, domain::TimePoint>> active;  // admitted fans and their active_until
    std::vector<std::pair<std::string, std::int64_t>> drawn;        // each drawn pre-queue ticket and its seq
  };
  std::optional<Lost> take_lost() { return std::exchange(lost_, std::nullopt); }
  // Pre-queue tickets drawn since the last call need their seq loaded from the
  // drawn list: [from, drawn_count).
  std::int64_t drawn_loaded() const { return drawn_loaded_; }
  std::int64_t drawn_count() const { return drawn_count_; }
  void add_drawn(const std::vector<std::string>& names);
  // The tickets polled since the last call and the latest poll's time, for
  // Redis's idle-timeout record.
  struct Polls {
    std::vector<std::string> names;
    domain::TimePoint at;
  };
  Polls take_polls();

 private:
  void reset();
  void note_poll(const std::string& name, domain::TimePoint now);
  std::optional<std::int64_t> seq_of(const Ticket& ticket) const;

  bool loaded_ = false;
  std::int64_t cursor_ = 0;
  std::int64_t serving_seq_ = 0;
  std::int64_t last_seq_ = 0;
  std::int64_t pre_count_ = 0;
  // As the last refresh read them: Redis never lowers them unless it lost the
  // queue (last_seq_ and pre_count_ also count this instance's entrants since).
  std::int64_t refreshed_last_seq_ = 0;
  std::int64_t refreshed_pre_count_ = 0;
  bool drawn_ = false;
  std::int64_t drawn_base_ = 0;
  std::int64_t drawn_count_ = 0;
  std::int64_t drawn_loaded_ = 0;
  std::vector<std::int64_t> pre_seq_;                          // pre-queue n -> drawn seq (0: not loaded)
  std::unordered_map<std::string, domain::TimePoint> active_;  // ticket -> active_until
  std::unordered_set<std::string> gone_;                       // left, used or expired while still waiting
  std::unordered_set<std::string> polls_;
  domain::TimePoint last_poll_;
  std::optional<Lost> lost_;
  std::int64_t restored_seq_ = 0;
  std::int64_t restored_pre_ = 0;
  std::unordered_set<std::string> back_;  // tickets handed out before the loss that Redis knows again
};

}  // namespace concert::adapters::redis
