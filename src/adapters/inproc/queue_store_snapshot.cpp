// InprocQueueStore as JSON: the live tokens with their numbers and times, and
// each line's counters, drawn-or-not pre-queue and admission history. The
// indexes (waiting by number, active by end, live token by user) are rebuilt
// from the tokens on restore.
#include <nlohmann/json.hpp>

#include "adapters/inproc/queue_store.hpp"

namespace concert::adapters::inproc {

namespace {

std::int64_t ms(domain::TimePoint t) { return t.time_since_epoch().count(); }
domain::TimePoint at(std::int64_t v) { return domain::TimePoint(domain::Millis(v)); }

domain::TokenStatus status_named(const std::string& name) {
  if (name == "ACTIVE") return domain::TokenStatus::Active;
  if (name == "WAITING") return domain::TokenStatus::Waiting;
  throw nlohmann::json::other_error::create(501, "a live token is WAITING or ACTIVE, not " + name, nullptr);
}

}  // namespace

nlohmann::json InprocQueueStore::snapshot() const {
  std::lock_guard lock(mutex_);
  nlohmann::json tokens = nlohmann::json::array();
  for (const auto& [token, e] : tokens_) {
    nlohmann::json j{{"token", token},
                     {"scheduleId", e.token.schedule_id},
                     {"userId", e.token.user_id},
                     {"status", std::string(domain::to_string(e.token.status))},
                     {"enteredAt", ms(e.token.entered_at)},
                     {"seq", e.seq},
                     {"lastSeen", ms(e.last_seen)}};
    if (e.token.active_until) j["activeUntil"] = ms(*e.token.active_until);
    tokens.push_back(std::move(j));
  }
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& [schedule_id, l] : lines_) {
    nlohmann::json admissions = nlohmann::json::array();
    for (auto t : l.admissions) admissions.push_back(ms(t));
    nlohmann::json log = nlohmann::json::array();
    for (const auto& a : l.log) {
      log.push_back(
          {{"seq", a.seq}, {"userId", a.user_id}, {"enteredAt", ms(a.entered_at)}, {"admittedAt", ms(a.admitted_at)}});
    }
    lines.push_back({{"scheduleId", schedule_id},
                     {"nextSeq", l.next_seq},
                     {"servingSeq", l.serving_seq},
                     {"preQueue", l.pre_queue},
                     {"preQueueDrawn", l.pre_queue_drawn},
                     {"admissions", admissions},
                     {"log", log}});
  }
  return {{"version", 1}, {"tokens", tokens}, {"lines", lines}};
}

void InprocQueueStore::restore(const nlohmann::json& snapshot) {
  std::lock_guard lock(mutex_);
  for (const auto& j : snapshot.at("lines")) {
    Line& l = lines_[j.at("scheduleId").get<domain::Id>()];
    l.next_seq = j.at("nextSeq").get<std::int64_t>();
    l.serving_seq = j.at("servingSeq").get<std::int64_t>();
    l.pre_queue = j.at("preQueue").get<std::vector<std::string>>();
    l.pre_queue_drawn = j.at("preQueueDrawn").get<bool>();
    for (const auto& t : j.at("admissions")) l.admissions.push_back(at(t.get<std::int64_t>()));
    for (const auto& a : j.at("log")) {
      l.log.push_back({a.at("seq").get<std::int64_t>(), a.at("userId").get<std::string>(),
                       at(a.at("enteredAt").get<std::int64_t>()), at(a.at("admittedAt").get<std::int64_t>())});
    }
  }
  for (const auto& j : snapshot.at("tokens")) {
    Entry e;
    e.token.token = j.at("token").get<std::string>();
    e.token.schedule_id = j.at("scheduleId").get<domain::Id>();
    e.token.user_id = j.at("userId").get<std::string>();
    e.token.status = status_named(j.at("status").get<std::string>());
    e.token.entered_at = at(j.at("enteredAt").get<std::int64_t>());
    if (j.contains("activeUntil")) e.token.active_until = at(j.at("activeUntil").get<std::int64_t>());
    e.seq = j.at("seq").get<std::int64_t>();
    e.last_seen = at(j.at("lastSeen").get<std::int64_t>());
    Line& l = lines_[e.token.schedule_id];
    if (e.token.status == domain::TokenStatus::Active && e.token.active_until) {
      l.active.emplace(*e.token.active_until, e.token.token);
    } else if (e.seq != 0) {
      l.waiting.emplace(e.seq, e.token.token);
    }  // else in the line's preQueue already
    live_by_user_[{e.token.schedule_id, e.token.user_id}] = e.token.token;
    tokens_.emplace(e.token.token, std::move(e));
  }
  ++version_;
}

std::uint64_t InprocQueueStore::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

}  // namespace concert::adapters::inproc
