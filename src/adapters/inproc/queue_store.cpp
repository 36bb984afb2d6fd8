#include "adapters/inproc/queue_store.hpp"

#include <algorithm>
#include <random>

#include "platform/crypto.hpp"

namespace concert::adapters::inproc {

using domain::TokenStatus;

InprocQueueStore::InprocQueueStore(std::size_t max_tokens) : max_tokens_(max_tokens) {}

InprocQueueStore::Line& InprocQueueStore::line(domain::Id schedule_id) { return lines_[schedule_id]; }

domain::QueueToken InprocQueueStore::view(const Entry& entry, const Line& line) const {
  domain::QueueToken t = entry.token;
  if (t.status == TokenStatus::Waiting && entry.seq != 0) t.position = entry.seq - line.serving_seq;
  return t;
}

ports::EnterResult InprocQueueStore::enter(domain::Id schedule_id, const domain::UserId& user, domain::TimePoint now,
                                           bool pre_open) {
  std::lock_guard lock(mutex_);
  ++version_;
  Line& l = line(schedule_id);
  // The first entrant after opening draws the pre-queue's order, so nobody who
  // came after opening can get ahead of it.
  if (!pre_open && !l.pre_queue_drawn) draw_pre_queue(l, std::random_device{}());

  if (auto it = live_by_user_.find({schedule_id, user}); it != live_by_user_.end()) {
    Entry& existing = tokens_.at(it->second);
    existing.last_seen = now;
    return {view(existing, l), false};
  }
  if (tokens_.size() >= max_tokens_) throw ports::QueueFull("the waiting queue is full");

  Entry entry;
  entry.token.token = "qt_" + platform::random_hex(16);
  entry.token.schedule_id = schedule_id;
  entry.token.user_id = user;
  entry.token.status = TokenStatus::Waiting;
  entry.token.entered_at = now;
  entry.last_seen = now;
  if (pre_open) {
    l.pre_queue.push_back(entry.token.token);
  } else {
    entry.seq = l.next_seq++;
    l.waiting.emplace(entry.seq, entry.token.token);
  }
  live_by_user_[{schedule_id, user}] = entry.token.token;
  auto [it, inserted] = tokens_.emplace(entry.token.token, std::move(entry));
  return {view(it->second, l), true};
}

void InprocQueueStore::draw_pre_queue(Line& l, std::uint64_t seed) {
  if (l.pre_queue_drawn) return;
  l.pre_queue_drawn = true;
  std::mt19937_64 rng(seed);
  std::shuffle(l.pre_queue.begin(), l.pre_queue.end(), rng);
  // Pre-queue fans go first in their drawn order; anyone already numbered moves behind them.
  std::map<std::int64_t, std::string> renumbered;
  std::int64_t seq = l.serving_seq + 1;
  for (const auto& token : l.pre_queue) {
    auto it = tokens_.find(token);
    if (it == tokens_.end()) continue;  // left before opening
    it->second.seq = seq;
    renumbered.emplace(seq++, token);
  }
  for (const auto& [old_seq, token] : l.waiting) {
    tokens_.at(token).seq = seq;
    renumbered.emplace(seq++, token);
  }
  l.waiting = std::move(renumbered);
  l.next_seq = seq;
  l.pre_queue.clear();
}

void InprocQueueStore::shuffle_pre_queue(domain::Id schedule_id, std::uint64_t seed) {
  std::lock_guard lock(mutex_);
  ++version_;
  draw_pre_queue(line(schedule_id), seed);
}

ports::PollAnswer InprocQueueStore::try_poll(const std::string& token, const domain::UserId& user,
                                             domain::TimePoint now) {
  return {true, status(token, user, now)};  // already memory only, and never behind
}

std::optional<domain::QueueToken> InprocQueueStore::status(const std::string& token, const domain::UserId& user,
                                                           domain::TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.token.user_id != user) return std::nullopt;
  Entry& e = it->second;
  if (e.token.status == TokenStatus::Active && e.token.active_until && *e.token.active_until <= now) {
    return std::nullopt;  // past its window; the expiry worker removes it
  }
  e.last_seen = now;
  return view(e, line(e.token.schedule_id));
}

void InprocQueueStore::finish(Entry& e, TokenStatus status) {
  Line& l = line(e.token.schedule_id);
  if (e.token.status == TokenStatus::Active && e.token.active_until) {
    l.active.erase({*e.token.active_until, e.token.token});
  } else if (e.seq != 0) {
    l.waiting.erase(e.seq);
  } else {
    std::erase(l.pre_queue, e.token.token);
  }
  e.token.status = status;
  live_by_user_.erase({e.token.schedule_id, e.token.user_id});
  tokens_.erase(e.token.token);  // invalidates e
}

bool InprocQueueStore::leave(const std::string& token, const domain::UserId& user) {
  std::lock_guard lock(mutex_);
  ++version_;
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.token.user_id != user) return false;
  finish(it->second, TokenStatus::Left);
  return true;
}

void InprocQueueStore::mark_used(domain::Id schedule_id, const domain::UserId& user) {
  std::lock_guard lock(mutex_);
  ++version_;
  auto it = live_by_user_.find({schedule_id, user});
  if (it == live_by_user_.end()) return;
  Entry& e = tokens_.at(it->second);
  if (e.token.status == TokenStatus::Active) finish(e, TokenStatus::Used);
}

std::vector<domain::QueueToken> InprocQueueStore::promote(domain::Id schedule_id, int count, domain::TimePoint now,
                                                          domain::Millis active_ttl) {
  std::lock_guard lock(mutex_);
  ++version_;
  Line& l = line(schedule_id);
  std::vector<domain::QueueToken> promoted;
  while (static_cast<int>(promoted.size()) < count && !l.waiting.empty()) {
    auto first = l.waiting.begin();
    Entry& e = tokens_.at(first->second);
    const auto first_seq = first->first;
    l.serving_seq = first_seq;
    l.waiting.erase(first);
    e.token.status = TokenStatus::Active;
    e.token.active_until = now + active_ttl;
    e.token.position.reset();
    l.active.emplace(*e.token.active_until, e.token.token);
    l.admissions.push_back(now);
    l.log.push_back({first_seq, e.token.user_id, e.token.entered_at, now});
    if (l.log.size() > ports::kAdmissionLogSize) l.log.pop_front();
    promoted.push_back(e.token);
  }
  return promoted;
}

int InprocQueueStore::expire(domain::Id schedule_id, domain::TimePoint now, domain::Millis waiting_idle_ttl) {
  std::lock_guard lock(mutex_);
  ++version_;
  Line& l = line(schedule_id);
  std::vector<std::string> gone;
  for (const auto& [until, token] : l.active) {
    if (until > now) break;
    gone.push_back(token);
  }
  for (const auto& [seq, token] : l.waiting) {
    if (tokens_.at(token).last_seen + waiting_idle_ttl <= now) gone.push_back(token);
  }
  for (const auto& token : l.pre_queue) {
    if (tokens_.at(token).last_seen + waiting_idle_ttl <= now) gone.push_back(token);
  }
  for (const auto& token : gone) finish(tokens_.at(token), TokenStatus::Expired);
  // Admission history is only needed for the last second's rate window.
  while (!l.admissions.empty() && l.admissions.front() + std::chrono::seconds(1) < now) l.admissions.pop_front();
  return static_cast<int>(gone.size());
}

ports::QueueCounts InprocQueueStore::counts(domain::Id schedule_id) {
  std::lock_guard lock(mutex_);
  const Line& l = line(schedule_id);
  return {static_cast<std::int64_t>(l.waiting.size() + l.pre_queue.size()), static_cast<std::int64_t>(l.active.size()),
          static_cast<std::int64_t>(l.pre_queue.size())};
}

int InprocQueueStore::admitted_since(domain::Id schedule_id, domain::TimePoint since) {
  std::lock_guard lock(mutex_);
  const Line& l = line(schedule_id);
  return static_cast<int>(
      std::count_if(l.admissions.begin(), l.admissions.end(), [&](domain::TimePoint t) { return t >= since; }));
}

std::vector<ports::Admission> InprocQueueStore::admissions(domain::Id schedule_id, std::int64_t after_seq, int limit) {
  std::lock_guard lock(mutex_);
  const auto& log = line(schedule_id).log;
  auto it = std::upper_bound(log.begin(), log.end(), after_seq,
                             [](std::int64_t seq, const ports::Admission& a) { return seq < a.seq; });
  std::vector<ports::Admission> out;
  for (; it != log.end() && static_cast<int>(out.size()) < limit; ++it) out.push_back(*it);
  return out;
}

}  // namespace concert::adapters::inproc
