#include "adapters/redis/queue_store.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <random>

namespace concert::adapters::redis {

namespace {

#include "redis_scripts.inc"

std::string ms(domain::TimePoint t) { return std::to_string(t.time_since_epoch().count()); }
domain::TimePoint time_of(long long v) { return domain::TimePoint(domain::Millis(v)); }

// The eleven keys of one schedule's queue, sharing the hash tag {s:<id>}.
std::vector<std::string> keys_of(domain::Id schedule_id) {
  const std::string base = "q:{s:" + std::to_string(schedule_id) + "}:";
  return {base + "waiting", base + "pre",      base + "active", base + "seen",  base + "users", base + "meta",
          base + "tokens",  base + "admitted", base + "admlog", base + "moves", base + "drawn"};
}

// "<seq>|<user>|<entered_at>|<admitted_at>"; user ids may hold '|', so the
// numbers are taken from both ends.
ports::Admission admission_from(const std::string& entry) {
  const auto first = entry.find('|');
  const auto last = entry.rfind('|');
  const auto middle = entry.rfind('|', last - 1);
  ports::Admission a;
  a.seq = std::stoll(entry.substr(0, first));
  a.user_id = entry.substr(first + 1, middle - first - 1);
  a.entered_at = time_of(std::stoll(entry.substr(middle + 1, last - middle - 1)));
  a.admitted_at = time_of(std::stoll(entry.substr(last + 1)));
  return a;
}

long long as_ll(const Reply& r) { return r.as_int(); }

// {ticket, state, seq, active_until, entered_at, serving_seq, user}; the token
// handed out is the ticket signed for its user.
domain::QueueToken token_from(const Reply& d, domain::Id schedule_id, const TicketSigner& signer) {
  domain::QueueToken t;
  t.schedule_id = schedule_id;
  t.user_id = d.elements.at(6).str;
  t.token = signer.sign(schedule_id, d.elements.at(0).str, t.user_id);
  const auto& state = d.elements.at(1).str;
  t.entered_at = time_of(as_ll(d.elements.at(4)));
  if (state == "ACTIVE") {
    t.status = domain::TokenStatus::Active;
    t.active_until = time_of(as_ll(d.elements.at(3)));
  } else {
    t.status = domain::TokenStatus::Waiting;
    if (state == "WAITING") t.position = as_ll(d.elements.at(2)) - as_ll(d.elements.at(5));
  }
  return t;
}

// "A|<ticket>|<active_until>" (admitted) or "G|<ticket>" (gone); tickets hold no '|'.
QueueMove move_from(const std::string& entry) {
  const auto bar = entry.find('|', 2);
  if (entry[0] != 'A') return {entry.substr(2), std::nullopt};
  return {entry.substr(2, bar - 2), time_of(std::stoll(entry.substr(bar + 1)))};
}

// refresh-11.lua's reply.
QueueRefresh refresh_from(const Reply& r) {
  const auto& e = r.elements;
  QueueRefresh q;
  q.serving_seq = as_ll(e.at(0));
  q.last_seq = as_ll(e.at(1));
  q.drawn = as_ll(e.at(2)) == 1;
  q.drawn_base = as_ll(e.at(3));
  q.drawn_count = as_ll(e.at(4));
  q.oldest_move = as_ll(e.at(5));
  q.latest_move = as_ll(e.at(6));
  q.restored_seq = as_ll(e.at(7));
  q.restored_pre = as_ll(e.at(8));
  q.pre_count = as_ll(e.at(9));
  const auto moves = static_cast<std::size_t>(as_ll(e.at(10)));
  for (std::size_t i = 11; i < 11 + moves; ++i) q.moves.push_back(move_from(e.at(i).str));
  for (std::size_t i = 11 + moves; i + 1 < e.size(); i += 2) q.active.emplace_back(e[i].str, time_of(as_ll(e[i + 1])));
  return q;
}

std::uint64_t random_seed() { return std::random_device{}() % 2147483646 + 1; }

// Moves replayed per script call, and calls per refresh (a cold start in a big
// sale pages through the whole move log; the next refresh goes on).
constexpr int kMovesPerPage = 10'000;
constexpr int kPagesPerRefresh = 50;

}  // namespace

RedisQueueStore::RedisQueueStore(RedisClient& client, RedisQueueOptions options)
    : client_(client), options_(std::move(options)), signer_(options_.token_key) {
  if (options_.refresh_in_background) refresher_ = std::jthread([this](std::stop_token stop) { refresh_all(stop); });
}

RedisQueueStore::~RedisQueueStore() {
  if (!refresher_.joinable()) return;
  refresher_.request_stop();
  refresher_.join();
}

std::vector<std::string> RedisQueueStore::floors(domain::Id schedule_id) {
  std::lock_guard lock(snapshots_mutex_);
  auto it = snapshots_.find(schedule_id);
  if (it == snapshots_.end()) return {"0", "0", "0"};
  return {std::to_string(it->second.last_seq()), std::to_string(it->second.serving_seq()),
          std::to_string(it->second.pre_count())};
}

ports::EnterResult RedisQueueStore::enter(domain::Id schedule_id, const domain::UserId& user, domain::TimePoint now,
                                          bool pre_open) {
  std::vector<std::string> args{user, ms(now), pre_open ? "1" : "0", std::to_string(options_.max_tokens_per_schedule),
                                std::to_string(random_seed())};
  const auto seen = floors(schedule_id);
  args.insert(args.end(), seen.begin(), seen.end());
  Reply d;
  try {
    d = client_.eval(kEnterScript, keys_of(schedule_id), args);
  } catch (const RedisUnavailable&) {
    throw;
  } catch (const std::runtime_error& e) {
    if (std::string_view(e.what()).find("QUEUE_FULL") != std::string_view::npos) {
      throw ports::QueueFull("the waiting queue is full");
    }
    throw;
  }
  if (const auto ticket = ticket_named(schedule_id, d.elements.at(0).str)) {
    std::lock_guard lock(snapshots_mutex_);
    if (auto it = snapshots_.find(schedule_id); it != snapshots_.end()) it->second.note_entered(*ticket);
  }
  return {token_from(d, schedule_id, signer_), d.elements.at(7).str == "1"};
}

ports::PollAnswer RedisQueueStore::try_poll(const std::string& token, const domain::UserId& user,
                                            domain::TimePoint now) {
  const auto ticket = signer_.verify(token, user);
  if (!ticket) return {true, std::nullopt};
  ServingSnapshot::Answer answer;
  {
    std::lock_guard lock(snapshots_mutex_);
    auto [it, first_poll] = snapshots_.try_emplace(ticket->schedule_id);
    answer = it->second.answer(*ticket, now);
    if (first_poll) {  // the refresher loads it now, not at its next round
      wake_requested_ = true;
      wake_.notify_one();
    }
  }
  using Verdict = ServingSnapshot::Verdict;
  if (answer.verdict == Verdict::Ask) return {false, std::nullopt};
  if (answer.verdict == Verdict::Gone) return {true, std::nullopt};
  domain::QueueToken t;
  t.token = token;
  t.schedule_id = ticket->schedule_id;
  t.user_id = user;
  if (answer.verdict == Verdict::Active) {
    t.status = domain::TokenStatus::Active;
    t.active_until = answer.active_until;
  } else if (answer.verdict == Verdict::Waiting) {
    t.position = answer.position;
  }
  return {true, std::move(t)};
}

std::optional<domain::QueueToken> RedisQueueStore::status(const std::string& token, const domain::UserId& user,
                                                          domain::TimePoint now) {
  const auto ticket = signer_.verify(token, user);
  if (!ticket) return std::nullopt;
  // The ticket's signature is verified: if Redis lost the queue, the fan takes
  // its own place again (status-11.lua).
  auto d = client_.eval(kStatusScript, keys_of(ticket->schedule_id), {ticket->name, ms(now), user});
  // The user check matters only if Redis lost the queue and numbered anew.
  if (d.elements.empty() || d.elements.at(6).str != user) return std::nullopt;
  {
    std::lock_guard lock(snapshots_mutex_);
    if (auto it = snapshots_.find(ticket->schedule_id); it != snapshots_.end())
      it->second.note_back(*ticket, d.elements.at(1).str == "WAITING" ? as_ll(d.elements.at(2)) : 0);
  }
  return token_from(d, ticket->schedule_id, signer_);
}

bool RedisQueueStore::leave(const std::string& token, const domain::UserId& user) {
  const auto ticket = signer_.verify(token, user);
  if (!ticket) return false;
  const bool left = client_.eval(kLeaveScript, keys_of(ticket->schedule_id), {ticket->name, user}).as_int() == 1;
  if (left) refresh(ticket->schedule_id);
  return left;
}

void RedisQueueStore::mark_used(domain::Id schedule_id, const domain::UserId& user) {
  if (client_.eval(kMarkUsedScript, keys_of(schedule_id), {user}).as_int() == 1) refresh(schedule_id);
}

void RedisQueueStore::shuffle_pre_queue(domain::Id schedule_id, std::uint64_t seed) {
  std::vector<std::string> args{std::to_string(seed % 2147483646 + 1)};
  const auto seen = floors(schedule_id);
  args.insert(args.end(), seen.begin(), seen.end());
  client_.eval(kShuffleScript, keys_of(schedule_id), args);
  refresh(schedule_id);
}

std::vector<domain::QueueToken> RedisQueueStore::promote(domain::Id schedule_id, int count, domain::TimePoint now,
                                                         domain::Millis active_ttl) {
  auto r = client_.eval(kPromoteScript, keys_of(schedule_id),
                        {std::to_string(count), ms(now), std::to_string(active_ttl.count())});
  std::vector<domain::QueueToken> promoted;
  for (std::size_t i = 0; i + 2 < r.elements.size(); i += 3) {
    domain::QueueToken t;
    t.user_id = r.elements[i].str;
    t.entered_at = time_of(as_ll(r.elements[i + 1]));
    t.token = signer_.sign(schedule_id, r.elements[i + 2].str, t.user_id);
    t.schedule_id = schedule_id;
    t.status = domain::TokenStatus::Active;
    t.active_until = now + active_ttl;
    promoted.push_back(std::move(t));
  }
  if (!promoted.empty()) refresh(schedule_id);
  return promoted;
}

int RedisQueueStore::expire(domain::Id schedule_id, domain::TimePoint now, domain::Millis waiting_idle_ttl) {
  refresh(schedule_id);  // first hand Redis the polls answered here, so no polling fan looks idle
  const auto gone = static_cast<int>(
      client_.eval(kExpireScript, keys_of(schedule_id), {ms(now), std::to_string(waiting_idle_ttl.count())}).as_int());
  if (gone > 0) refresh(schedule_id);
  return gone;
}

void RedisQueueStore::refresh(domain::Id schedule_id) {
  std::lock_guard order(refresh_mutex_);
  const auto keys = keys_of(schedule_id);
  for (int page = 0; page < kPagesPerRefresh; ++page) {
    ServingSnapshot::Polls polls;
    std::int64_t cursor = 0;
    {
      std::lock_guard lock(snapshots_mutex_);
      auto it = snapshots_.find(schedule_id);
      if (it == snapshots_.end()) return;  // nobody polls this schedule here
      polls = it->second.take_polls();
      cursor = it->second.cursor();
    }
    std::vector<std::string> args{std::to_string(cursor), std::to_string(kMovesPerPage), ms(polls.at)};
    args.insert(args.end(), polls.names.begin(), polls.names.end());
    const auto refreshed = refresh_from(client_.eval(kRefreshScript, keys, args));
    std::optional<ServingSnapshot::Lost> lost;
    bool started_over = false;
    {
      std::lock_guard lock(snapshots_mutex_);
      auto& snapshot = snapshots_[schedule_id];
      snapshot.apply(refreshed);
      lost = snapshot.take_lost();
      started_over = cursor > 0 && snapshot.cursor() == 0;
    }
    if (lost) {
      // Redis came back without this queue: write back how far it had gone, so
      // the queue moves on from there (SPEC I7) and new fans queue behind the old.
      std::vector<std::string> restore{std::to_string(lost->last_seq), std::to_string(lost->serving_seq),
                                       std::to_string(lost->moves),    std::to_string(lost->pre_count),
                                       lost->was_drawn ? "1" : "0",    std::to_string(lost->active.size())};
      for (const auto& [name, until] : lost->active) {
        restore.push_back(name);
        restore.push_back(ms(until));
      }
      for (const auto& [name, seq] : lost->drawn) {
        restore.push_back(name);
        restore.push_back(std::to_string(seq));
      }
      client_.eval(kRestoreScript, keys, restore);
      spdlog::warn(
          "schedule {}: Redis lost the queue; restored last_seq {}, serving_seq {}, move {}, "
          "pre-queue {}, {} sessions, {} drawn places",
          schedule_id, lost->last_seq, lost->serving_seq, lost->moves, lost->pre_count, lost->active.size(),
          lost->drawn.size());
      continue;  // a cold start from what Redis has now
    }
    if (refreshed.moves.size() < kMovesPerPage && !started_over) break;
  }
  for (int page = 0; page < kPagesPerRefresh; ++page) {
    std::int64_t from = 0;
    {
      std::lock_guard lock(snapshots_mutex_);
      const auto& snapshot = snapshots_[schedule_id];
      if (snapshot.drawn_loaded() >= snapshot.drawn_count()) return;
      from = snapshot.drawn_loaded();
    }
    auto names = client_.command(
        {"LRANGE", client_.prefix() + keys[10], std::to_string(from), std::to_string(from + kMovesPerPage - 1)});
    std::vector<std::string> drawn;
    for (const auto& name : names.elements) drawn.push_back(name.str);
    std::lock_guard lock(snapshots_mutex_);
    snapshots_[schedule_id].add_drawn(drawn);
  }
}

void RedisQueueStore::refresh_all(std::stop_token stop) {
  std::mutex wait_mutex;
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(wait_mutex);
      wake_.wait_for(lock, stop, options_.refresh_interval, [this] { return wake_requested_.exchange(false); });
    }
    std::vector<domain::Id> schedules;
    {
      std::lock_guard lock(snapshots_mutex_);
      for (const auto& [id, snapshot] : snapshots_) schedules.push_back(id);
    }
    for (auto id : schedules) {
      if (stop.stop_requested()) return;
      try {
        refresh(id);
      } catch (const std::exception& e) {
        // Redis is away: polls go on from the last snapshot (and its answers
        // age) until it is back; holds ask Redis itself and fail fast with 503.
        spdlog::warn("queue snapshot of schedule {} not refreshed: {}", id, e.what());
      }
    }
  }
}

ports::QueueCounts RedisQueueStore::counts(domain::Id schedule_id) {
  auto r = client_.eval(kCountsScript, keys_of(schedule_id), {});
  return {as_ll(r.elements.at(0)), as_ll(r.elements.at(1)), as_ll(r.elements.at(2))};
}

int RedisQueueStore::admitted_since(domain::Id schedule_id, domain::TimePoint since) {
  const auto key = client_.prefix() + keys_of(schedule_id)[7];
  return static_cast<int>(client_.command({"ZCOUNT", key, ms(since), "+inf"}).as_int());
}

std::vector<ports::Admission> RedisQueueStore::admissions(domain::Id schedule_id, std::int64_t after_seq, int limit) {
  auto r = client_.eval(kAdmissionsScript, keys_of(schedule_id), {std::to_string(after_seq), std::to_string(limit)});
  std::vector<ports::Admission> out;
  for (const auto& e : r.elements) out.push_back(admission_from(e.str));
  return out;
}

}  // namespace concert::adapters::redis
