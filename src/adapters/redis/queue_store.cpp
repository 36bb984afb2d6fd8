#include "adapters/redis/queue_store.hpp"

#include <charconv>
#include <random>

#include "platform/crypto.hpp"

namespace concert::adapters::redis {

namespace {

#include "redis_scripts.inc"

std::string ms(domain::TimePoint t) { return std::to_string(t.time_since_epoch().count()); }
domain::TimePoint time_of(long long v) { return domain::TimePoint(domain::Millis(v)); }

// The nine keys of one schedule's queue, sharing the hash tag {s:<id>}.
std::vector<std::string> keys_of(domain::Id schedule_id) {
  const std::string base = "q:{s:" + std::to_string(schedule_id) + "}:";
  return {base + "waiting", base + "pre",    base + "active",   base + "seen",  base + "users",
          base + "meta",    base + "tokens", base + "admitted", base + "admlog"};
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

// Tokens carry their schedule ("<scheduleId>.<random>") so a poll finds its keys.
std::optional<domain::Id> schedule_of(const std::string& token) {
  domain::Id id = 0;
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), id);
  if (ec != std::errc() || ptr == token.data() + token.size() || *ptr != '.' || id <= 0) return std::nullopt;
  return id;
}

long long as_ll(const Reply& r) { return r.as_int(); }

// {token, state, seq, active_until, entered_at, serving_seq, user}
domain::QueueToken token_from(const Reply& d, domain::Id schedule_id) {
  domain::QueueToken t;
  t.token = d.elements.at(0).str;
  t.schedule_id = schedule_id;
  const auto& state = d.elements.at(1).str;
  t.user_id = d.elements.at(6).str;
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

std::uint64_t random_seed() { return std::random_device{}() % 2147483646 + 1; }

}  // namespace

RedisQueueStore::RedisQueueStore(RedisClient& client, std::size_t max_tokens)
    : client_(client), max_tokens_(max_tokens) {}

ports::EnterResult RedisQueueStore::enter(domain::Id schedule_id, const domain::UserId& user, domain::TimePoint now,
                                          bool pre_open) {
  const std::string token = std::to_string(schedule_id) + "." + platform::random_hex(16);
  Reply d;
  try {
    d = client_.eval(kEnterScript, keys_of(schedule_id),
                     {user, ms(now), pre_open ? "1" : "0", token, std::to_string(max_tokens_),
                      std::to_string(random_seed())});
  } catch (const RedisUnavailable&) {
    throw;
  } catch (const std::runtime_error& e) {
    if (std::string_view(e.what()).find("QUEUE_FULL") != std::string_view::npos) {
      throw ports::QueueFull("the waiting queue is full");
    }
    throw;
  }
  return {token_from(d, schedule_id), d.elements.at(7).str == "1"};
}

std::optional<domain::QueueToken> RedisQueueStore::status(const std::string& token, domain::TimePoint now) {
  const auto schedule_id = schedule_of(token);
  if (!schedule_id) return std::nullopt;
  auto d = client_.eval(kStatusScript, keys_of(*schedule_id), {token, ms(now)});
  if (d.elements.empty()) return std::nullopt;
  return token_from(d, *schedule_id);
}

bool RedisQueueStore::leave(const std::string& token) {
  const auto schedule_id = schedule_of(token);
  if (!schedule_id) return false;
  return client_.eval(kLeaveScript, keys_of(*schedule_id), {token}).as_int() == 1;
}

void RedisQueueStore::mark_used(domain::Id schedule_id, const domain::UserId& user) {
  client_.eval(kMarkUsedScript, keys_of(schedule_id), {user});
}

void RedisQueueStore::shuffle_pre_queue(domain::Id schedule_id, std::uint64_t seed) {
  client_.eval(kShuffleScript, keys_of(schedule_id), {std::to_string(seed % 2147483646 + 1)});
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
    t.token = r.elements[i + 2].str;
    t.schedule_id = schedule_id;
    t.status = domain::TokenStatus::Active;
    t.active_until = now + active_ttl;
    promoted.push_back(std::move(t));
  }
  return promoted;
}

int RedisQueueStore::expire(domain::Id schedule_id, domain::TimePoint now, domain::Millis waiting_idle_ttl) {
  return static_cast<int>(
      client_.eval(kExpireScript, keys_of(schedule_id), {ms(now), std::to_string(waiting_idle_ttl.count())}).as_int());
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
