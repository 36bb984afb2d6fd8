#include "adapters/redis/serving_snapshot.hpp"

namespace concert::adapters::redis {

std::optional<std::int64_t> ServingSnapshot::seq_of(const Ticket& ticket) const {
  if (!ticket.pre_queue) return ticket.number;
  const auto n = static_cast<std::size_t>(ticket.number);
  if (n < pre_seq_.size() && pre_seq_[n] != 0) return pre_seq_[n];
  return std::nullopt;
}

ServingSnapshot::Answer ServingSnapshot::answer(const Ticket& ticket, domain::TimePoint now) {
  if (!loaded_) return {};
  if (gone_.contains(ticket.name)) return {Verdict::Gone, 0, {}};
  if (auto it = active_.find(ticket.name); it != active_.end()) {
    if (it->second <= now) return {Verdict::Gone, 0, {}};
    return {Verdict::Active, 0, it->second};
  }
  if (ticket.pre_queue && ticket.number <= restored_pre_ && !back_.contains(ticket.name)) return {};
  if (ticket.pre_queue && !drawn_) {
    note_poll(ticket.name, now);
    return {Verdict::PreQueue, 0, {}};
  }
  const auto seq = seq_of(ticket);
  if (!seq || *seq > last_seq_) return {};  // drawn list still loading, or entered since the last refresh
  if (*seq <= restored_seq_ && !back_.contains(ticket.name)) return {};  // its place is retaken in Redis
  if (*seq <= serving_seq_) return {Verdict::Gone, 0, {}};  // admitted and gone since (an active fan is in active_)
  note_poll(ticket.name, now);
  return {Verdict::Waiting, *seq - serving_seq_, {}};
}

void ServingSnapshot::note_poll(const std::string& name, domain::TimePoint now) {
  polls_.insert(name);
  last_poll_ = std::max(last_poll_, now);
}

void ServingSnapshot::reset() {
  auto polls = std::move(polls_);
  const auto last_poll = last_poll_;
  *this = ServingSnapshot{};
  polls_ = std::move(polls);
  last_poll_ = last_poll;
}

void ServingSnapshot::apply(const QueueRefresh& r) {
  // Only what refreshes alone set is compared: last_seq_ also moves when this
  // instance numbers a fan, which a reply read just before may not show yet.
  if (loaded_ && (r.latest_move < cursor_ || r.serving_seq < serving_seq_ || r.last_seq < refreshed_last_seq_ ||
                  r.pre_count < refreshed_pre_count_ || (drawn_ && !r.drawn))) {
    Lost lost{last_seq_, serving_seq_, cursor_, pre_count_, drawn_, {active_.begin(), active_.end()}, {}};
    for (std::size_t n = 1; n < pre_seq_.size(); ++n) {
      if (pre_seq_[n] != 0) lost.drawn.emplace_back("p" + std::to_string(n), pre_seq_[n]);
    }
    reset();
    lost_ = std::move(lost);
    return;
  }
  if (cursor_ > 0 && r.oldest_move > cursor_ + 1) {
    reset();  // the moves we missed were trimmed: start over from the active set
    return;
  }
  if (cursor_ == 0) {
    for (const auto& [name, until] : r.active) active_[name] = until;
  }
  cursor_ = std::max(cursor_, r.oldest_move > 0 ? r.oldest_move - 1 : 0) + static_cast<std::int64_t>(r.moves.size());
  for (const auto& move : r.moves) {
    if (move.active_until) {
      if (!gone_.contains(move.ticket)) active_[move.ticket] = *move.active_until;
    } else {
      active_.erase(move.ticket);
      gone_.insert(move.ticket);
    }
  }
  const bool served_more = r.serving_seq != serving_seq_;
  serving_seq_ = r.serving_seq;
  last_seq_ = std::max(last_seq_, r.last_seq);
  pre_count_ = std::max(pre_count_, r.pre_count);
  refreshed_last_seq_ = r.last_seq;
  refreshed_pre_count_ = r.pre_count;
  drawn_ = r.drawn;
  drawn_base_ = r.drawn_base;
  drawn_count_ = r.drawn_count;
  if (r.restored_seq != restored_seq_ || r.restored_pre != restored_pre_) back_.clear();  // another loss: all ask again
  restored_seq_ = r.restored_seq;
  restored_pre_ = r.restored_pre;
  loaded_ = true;
  // Forget departures the serving counter has passed: past it, anyone not active
  // is gone anyway. (Ended sessions leave active_ by their "G" move.)
  if (served_more)
    std::erase_if(gone_, [this](const std::string& name) {
      auto ticket = ticket_named(0, name);
      auto seq = ticket ? seq_of(*ticket) : std::nullopt;
      return seq && *seq <= serving_seq_;
    });
}

void ServingSnapshot::note_entered(const Ticket& ticket) {
  if (ticket.pre_queue) {
    pre_count_ = std::max(pre_count_, ticket.number);
  } else {
    last_seq_ = std::max(last_seq_, ticket.number);
  }
}

void ServingSnapshot::note_back(const Ticket& ticket, std::int64_t seq) {
  if (ticket.pre_queue && seq > 0) {  // drawn before the loss: its place is known now
    const auto n = static_cast<std::size_t>(ticket.number);
    if (pre_seq_.size() <= n) pre_seq_.resize(n + 1, 0);
    pre_seq_[n] = seq;
  }
  const auto known = seq_of(ticket);
  if ((known && *known <= restored_seq_) || (ticket.pre_queue && ticket.number <= restored_pre_))
    back_.insert(ticket.name);
}

void ServingSnapshot::add_drawn(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    ++drawn_loaded_;
    auto ticket = ticket_named(0, name);
    if (!ticket || !ticket->pre_queue) continue;
    const auto n = static_cast<std::size_t>(ticket->number);
    if (pre_seq_.size() <= n) pre_seq_.resize(n + 1, 0);
    pre_seq_[n] = drawn_base_ + drawn_loaded_;
  }
}

ServingSnapshot::Polls ServingSnapshot::take_polls() {
  Polls out{{polls_.begin(), polls_.end()}, last_poll_};
  polls_.clear();
  return out;
}

}  // namespace concert::adapters::redis
