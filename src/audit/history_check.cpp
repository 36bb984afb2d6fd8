// check_history (audit/history.hpp): the rules that hold the database and the
// event sink to what a client was told.
//
// An answer says one of four things about its write. 2xx: it happened, as the
// body says. A 4xx that decides (seat taken, declined, expired, ...): it did
// not. 409 idempotency-key-in-flight, 429 and a connection never made: this
// request did nothing and says nothing about its key (another copy may still be
// running). No answer or a 5xx: it may have happened. Requests are grouped by
// what they act on, (user, Idempotency-Key) for holds and payments, (user,
// path id) for refunds and cancels, so a retry or a double click answers for
// its siblings.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "audit/history.hpp"
#include "domain/state_machines.hpp"

namespace concert::audit {

using domain::Id;
using domain::PaymentStatus;
using domain::ReservationStatus;

namespace {

enum class Write { Hold, Pay, Refund, Cancel };
enum class Told { Success, Failure, Nothing, Unknown };

constexpr std::string_view kReservations = "/api/v1/reservations";
constexpr std::string_view kPayments = "/api/v1/payments";

std::string_view label(Write w) {
  switch (w) {
    case Write::Hold:
      return "hold";
    case Write::Pay:
      return "payment";
    case Write::Refund:
      return "refund";
    case Write::Cancel:
      return "cancel";
  }
  return "write";
}

std::optional<Id> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::stoll(std::string(text));
}

struct Target {
  Write write = Write::Hold;
  Id path_id = 0;  // refund: the payment; cancel: the reservation
};

// Which of the four writes a request is, from its method and path alone, so any
// client's history can be checked.
std::optional<Target> target_of(const Exchange& e) {
  std::string_view path = e.path;
  path = path.substr(0, path.find('?'));
  if (e.method == "POST" && path == kReservations) return Target{Write::Hold};
  if (e.method == "POST" && path == kPayments) return Target{Write::Pay};
  if (e.method == "DELETE" && path.starts_with(kReservations) && path.size() > kReservations.size() + 1 &&
      path[kReservations.size()] == '/') {
    if (auto id = parse_id(path.substr(kReservations.size() + 1))) return Target{Write::Cancel, *id};
  }
  constexpr std::string_view kRefund = "/refund";
  if (e.method == "POST" && path.starts_with(kPayments) && path.ends_with(kRefund) &&
      path.size() > kPayments.size() + 1 + kRefund.size() && path[kPayments.size()] == '/') {
    const auto middle = path.substr(kPayments.size() + 1, path.size() - kPayments.size() - 1 - kRefund.size());
    if (auto id = parse_id(middle)) return Target{Write::Refund, *id};
  }
  return std::nullopt;
}

nlohmann::json json_of(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

// An id field of a body, 0 when absent or not an integer (a body cut short, say).
Id id_field(const nlohmann::json& j, const char* field) {
  const auto it = j.find(field);
  return it != j.end() && it->is_number_integer() ? it->get<Id>() : 0;
}

std::string string_field(const nlohmann::json& j, const char* field) {
  const auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string problem_code(const Exchange& e) { return string_field(json_of(e.answer_body), "code"); }

Told told_of(const Exchange& e) {
  if (e.status == 0) return e.failure == "connect" ? Told::Nothing : Told::Unknown;
  if (e.status >= 200 && e.status < 300) return Told::Success;
  if (e.status >= 500) return Told::Unknown;
  if (e.status == 429) return Told::Nothing;
  if (e.status == 409 && problem_code(e) == "idempotency-key-in-flight") return Told::Nothing;
  return Told::Failure;
}

std::string name(const Exchange& e, Write w) {
  std::string s =
      std::string(label(w)) + " #" + std::to_string(e.seq) + " (" + e.method + " " + e.path + ", user " + e.user;
  if (!e.idempotency_key.empty()) s += ", key " + e.idempotency_key;
  return s + ")";
}

std::string answer_text(const Exchange& e) {
  if (e.status == 0) return "got no answer (" + e.failure + ")";
  const auto code = problem_code(e);
  return "was answered " + std::to_string(e.status) + (code.empty() ? "" : " " + code);
}

// The reflexive, transitive closure of the state machines (SPEC §3): a row may
// have moved on since the answer, never back or sideways.
template <typename S>
bool reachable(S from, S to, std::initializer_list<S> all) {
  std::set<S> seen{from};
  std::vector<S> frontier{from};
  while (!frontier.empty()) {
    const S s = frontier.back();
    frontier.pop_back();
    if (s == to) return true;
    for (const S next : all) {
      if (!seen.contains(next) && domain::can_transition(s, next)) {
        seen.insert(next);
        frontier.push_back(next);
      }
    }
  }
  return false;
}

bool reachable(ReservationStatus from, ReservationStatus to) {
  using R = ReservationStatus;
  return reachable(from, to, {R::Held, R::Paid, R::Expired, R::Cancelled, R::Refunded});
}

bool reachable(PaymentStatus from, PaymentStatus to) {
  using P = PaymentStatus;
  return reachable(
      from, to,
      {P::Pending, P::Approved, P::Declined, P::Failed, P::RefundPending, P::Refunded, P::VoidPending, P::Voided});
}

// The gateway kept the money: what a payment answered as failed must not be.
bool kept_charge(PaymentStatus s) {
  return s == PaymentStatus::Approved || s == PaymentStatus::RefundPending || s == PaymentStatus::Refunded;
}

struct Rows {
  std::map<Id, domain::Reservation> reservations;
  std::map<Id, domain::Payment> payments;
  std::map<std::pair<std::string, std::string>, Id> reservation_by_key;  // (user, key)
  std::map<std::pair<std::string, std::string>, Id> payment_by_key;
};

using Mismatches = std::vector<std::string>;

template <typename T>
void expect_field(const nlohmann::json& told, const char* field, const T& actual, const std::string& what,
                  Mismatches& wrong) {
  const auto it = told.find(field);
  if (it == told.end()) return;  // not told, nothing promised
  T value{};
  try {
    value = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    wrong.push_back("an unreadable " + std::string(field) + " in the answer");
    return;
  }
  if (value != actual) wrong.push_back(what + " differs from the answer");
}

void compare_reservation(const nlohmann::json& told, const domain::Reservation& r, Mismatches& wrong) {
  expect_field(told, "userId", r.user_id, "user " + r.user_id, wrong);
  expect_field(told, "scheduleId", r.schedule_id, "schedule " + std::to_string(r.schedule_id), wrong);
  expect_field(told, "amount", r.amount, "amount " + std::to_string(r.amount), wrong);
  if (const auto it = told.find("seatIds"); it != told.end() && it->is_array()) {
    auto told_seats = it->get<std::vector<Id>>();
    auto seats = r.seat_ids;
    std::sort(told_seats.begin(), told_seats.end());
    std::sort(seats.begin(), seats.end());
    if (told_seats != seats) wrong.push_back("other seats than the answer's");
  }
  const auto status = domain::reservation_status_from(string_field(told, "status"));
  if (!status) {
    wrong.push_back("no reservation status in the answer");
  } else if (!reachable(*status, r.status)) {
    wrong.push_back("status " + std::string(to_string(r.status)) + ", which cannot follow the " +
                    std::string(to_string(*status)) + " told");
  }
}

void compare_payment(const nlohmann::json& told, const domain::Payment& p, Mismatches& wrong) {
  expect_field(told, "userId", p.user_id, "user " + p.user_id, wrong);
  expect_field(told, "reservationId", p.reservation_id, "reservation " + std::to_string(p.reservation_id), wrong);
  expect_field(told, "amount", p.amount, "amount " + std::to_string(p.amount), wrong);
  const auto status = domain::payment_status_from(string_field(told, "status"));
  if (!status) {
    wrong.push_back("no payment status in the answer");
  } else if (!reachable(*status, p.status)) {
    wrong.push_back("status " + std::string(to_string(p.status)) + ", which cannot follow the " +
                    std::string(to_string(*status)) + " told");
  }
}

std::string joined(const Mismatches& wrong) {
  std::string out;
  for (const auto& w : wrong) out += (out.empty() ? "" : "; ") + w;
  return out;
}

class Checker {
 public:
  Checker(const Rows& rows, HistoryVerdict& verdict) : rows_(rows), verdict_(verdict) {}

  void acknowledged(const Exchange& e, const Target& t) {
    ++verdict_.acknowledged_writes;
    const auto told = json_of(e.answer_body);
    switch (t.write) {
      case Write::Hold:
        return reservation_told(e, t, id_field(told, "reservationId"), told, true);
      case Write::Cancel: {
        // 204 has no body: a cancel that succeeded says CANCELLED.
        auto said = told.contains("status") ? told : nlohmann::json{{"status", "CANCELLED"}};
        return reservation_told(e, t, t.path_id, said, false);
      }
      case Write::Pay:
        return payment_told(e, t, id_field(told, "paymentId"), told, true);
      case Write::Refund:
        return payment_told(e, t, t.path_id, told, false);
    }
  }

  // A group with no success whose last decided answer was a failure: its effect
  // must be absent, unless a request of the group left unanswered (or a 5xx
  // answered after the failure was asked) may have made it afterwards.
  void failed(const std::vector<const Exchange*>& group, const Target& t) {
    const Exchange* failure = nullptr;
    for (const auto* e : group) {
      if (told_of(*e) == Told::Failure && (!failure || e->sent_at >= failure->sent_at)) failure = e;
    }
    if (!failure) return;
    for (const auto* e : group) {
      if (told_of(*e) == Told::Unknown && (e->status == 0 || e->answered_at > failure->sent_at)) return;
    }
    ++verdict_.failed_writes;
    if (auto effect = effect_of(*failure, t)) {
      verdict_.report.add("failed", name(*failure, t.write) + " " + answer_text(*failure) +
                                        " and nothing later succeeded, yet " + *effect);
    }
  }

 private:
  void reservation_told(const Exchange& e, const Target& t, Id id, const nlohmann::json& told, bool keyed) {
    const auto it = rows_.reservations.find(id);
    if (it == rows_.reservations.end()) {
      verdict_.report.add("acknowledged", name(e, t.write) + " " + answer_text(e) + " for reservation " +
                                              std::to_string(id) + ", which is not in the database");
      return;
    }
    const auto& r = it->second;
    Mismatches wrong;
    if (r.user_id != e.user) wrong.push_back("user " + r.user_id);
    if (keyed && !e.idempotency_key.empty() && r.idempotency_key != e.idempotency_key) {
      wrong.push_back("key " + r.idempotency_key);
    }
    compare_reservation(told, r, wrong);
    if (!wrong.empty()) {
      verdict_.report.add("acknowledged", name(e, t.write) + " " + answer_text(e) + " for reservation " +
                                              std::to_string(id) + "; the database has " + joined(wrong));
    }
  }

  void payment_told(const Exchange& e, const Target& t, Id id, const nlohmann::json& told, bool keyed) {
    const auto it = rows_.payments.find(id);
    if (it == rows_.payments.end()) {
      verdict_.report.add("acknowledged", name(e, t.write) + " " + answer_text(e) + " for payment " +
                                              std::to_string(id) + ", which is not in the database");
      return;
    }
    const auto& p = it->second;
    Mismatches wrong;
    if (p.user_id != e.user) wrong.push_back("user " + p.user_id);
    if (keyed && !e.idempotency_key.empty() && p.idempotency_key != e.idempotency_key) {
      wrong.push_back("key " + p.idempotency_key);
    }
    compare_payment(told, p, wrong);
    // The answer embeds the reservation as it was then: it too may only have moved on.
    if (const auto r = told.find("reservation"); r != told.end() && r->is_object()) {
      if (const auto row = rows_.reservations.find(p.reservation_id); row != rows_.reservations.end()) {
        Mismatches of_reservation;
        compare_reservation(*r, row->second, of_reservation);
        for (auto& w : of_reservation) wrong.push_back("reservation " + std::to_string(p.reservation_id) + " " + w);
      }
    }
    if (!wrong.empty()) {
      verdict_.report.add("acknowledged", name(e, t.write) + " " + answer_text(e) + " for payment " +
                                              std::to_string(id) + "; the database has " + joined(wrong));
    }
  }

  // What the failed write would have left behind, if the database holds it.
  std::optional<std::string> effect_of(const Exchange& e, const Target& t) const {
    const std::pair<std::string, std::string> key{e.user, e.idempotency_key};
    switch (t.write) {
      case Write::Hold:
        if (const auto it = rows_.reservation_by_key.find(key); it != rows_.reservation_by_key.end()) {
          const auto& r = rows_.reservations.at(it->second);
          return "reservation " + std::to_string(r.id) + " exists with that key (" + std::string(to_string(r.status)) +
                 ")";
        }
        return std::nullopt;
      case Write::Pay:
        // A declined or voided payment row is the failure's own record, not an effect.
        if (const auto it = rows_.payment_by_key.find(key); it != rows_.payment_by_key.end()) {
          const auto& p = rows_.payments.at(it->second);
          if (kept_charge(p.status)) {
            return "payment " + std::to_string(p.id) + " with that key is " + std::string(to_string(p.status));
          }
        }
        return std::nullopt;
      case Write::Refund:
        if (const auto it = rows_.payments.find(t.path_id); it != rows_.payments.end()) {
          const auto s = it->second.status;
          if (s == PaymentStatus::RefundPending || s == PaymentStatus::Refunded) {
            return "payment " + std::to_string(t.path_id) + " is " + std::string(to_string(s));
          }
        }
        return std::nullopt;
      case Write::Cancel:
        if (const auto it = rows_.reservations.find(t.path_id);
            it != rows_.reservations.end() && it->second.status == ReservationStatus::Cancelled) {
          return "reservation " + std::to_string(t.path_id) + " is CANCELLED";
        }
        return std::nullopt;
    }
    return std::nullopt;
  }

  const Rows& rows_;
  HistoryVerdict& verdict_;
};

struct Group {
  Target target;
  std::vector<const Exchange*> exchanges;

  bool has(Told told) const {
    return std::any_of(exchanges.begin(), exchanges.end(), [&](const Exchange* e) { return told_of(*e) == told; });
  }
};

// (write, user, key or path id): what one group of requests acts on.
using GroupKey = std::tuple<Write, std::string, std::string>;

GroupKey group_key(const Exchange& e, const Target& t) {
  switch (t.write) {
    case Write::Hold:
    case Write::Pay:
      // Without a key a request stands alone.
      return {t.write, e.user, e.idempotency_key.empty() ? "#" + std::to_string(e.seq) : e.idempotency_key};
    case Write::Refund:
    case Write::Cancel:
      return {t.write, e.user, std::to_string(t.path_id)};
  }
  return {t.write, e.user, ""};
}

std::set<Id> schedules_of(const std::map<GroupKey, Group>& groups) {
  std::set<Id> ids;
  for (const auto& [key, group] : groups) {
    if (group.target.write != Write::Hold) continue;
    for (const auto* e : group.exchanges) {
      for (const auto* body : {&e->request_body, &e->answer_body}) {
        const auto j = json_of(*body);
        if (const auto it = j.find("scheduleId"); it != j.end() && it->is_number_integer()) {
          ids.insert(it->get<Id>());
        }
      }
    }
  }
  return ids;
}

Rows read_rows(ports::Tx& tx, const std::set<Id>& schedules) {
  Rows rows;
  for (const auto schedule : schedules) {
    for (auto& r : tx.list_reservations(schedule)) {
      rows.reservation_by_key[{r.user_id, r.idempotency_key}] = r.id;
      rows.reservations.emplace(r.id, std::move(r));
    }
    for (auto& p : tx.list_payments_of_schedule(schedule)) {
      rows.payment_by_key[{p.user_id, p.idempotency_key}] = p.id;
      rows.payments.emplace(p.id, std::move(p));
    }
  }
  return rows;
}

// A row of a user the history knows must come from a request of that user with
// its key that succeeded or may have: decided failures are the `failed` rule's,
// except for a payment, whose declined or voided row a failure leaves behind.
void check_unexplained(const Rows& rows, const std::map<GroupKey, Group>& groups, const std::set<std::string>& users,
                       HistoryVerdict& verdict) {
  auto explained = [&](Write w, const std::string& user, const std::string& key) -> std::optional<std::string> {
    const auto it = groups.find({w, user, key});
    if (it == groups.end()) return "was made by no request in the history";
    const auto& g = it->second;
    if (g.has(Told::Success) || g.has(Told::Unknown)) return std::nullopt;
    if (g.has(Told::Failure)) return std::nullopt;  // the `failed` rule judges it
    return "matches only requests that did nothing (429, key in flight, no connection)";
  };
  for (const auto& [id, r] : rows.reservations) {
    if (!users.contains(r.user_id)) continue;
    if (auto why = explained(Write::Hold, r.user_id, r.idempotency_key)) {
      verdict.report.add("unexplained", "reservation " + std::to_string(id) + " (user " + r.user_id + ", key " +
                                            r.idempotency_key + ", " + std::string(to_string(r.status)) + ") " + *why);
    }
  }
  for (const auto& [id, p] : rows.payments) {
    if (!users.contains(p.user_id)) continue;
    if (auto why = explained(Write::Pay, p.user_id, p.idempotency_key)) {
      verdict.report.add("unexplained", "payment " + std::to_string(id) + " (user " + p.user_id + ", key " +
                                            p.idempotency_key + ", " + std::string(to_string(p.status)) + ") " + *why);
      continue;
    }
    for (const auto* e : groups.at({Write::Pay, p.user_id, p.idempotency_key}).exchanges) {
      const auto asked = id_field(json_of(e->request_body), "reservationId");
      if (asked != p.reservation_id) {
        verdict.report.add("unexplained", "payment " + std::to_string(id) + " is for reservation " +
                                              std::to_string(p.reservation_id) + " but " + name(*e, Write::Pay) +
                                              " asked to pay reservation " + std::to_string(asked));
        break;
      }
    }
  }
}

// Every outbox event of the audited rows reached the sink, and the first copy
// of each came after the first copy of every earlier event of its aggregate
// (later copies are at-least-once re-deliveries).
void check_events(ports::Tx& tx, const Rows& rows, const std::vector<std::string>& published, HistoryVerdict& verdict) {
  std::map<std::string, std::size_t> first_copy;
  for (std::size_t i = 0; i < published.size(); ++i) first_copy.try_emplace(published[i], i);
  struct Seen {
    Id outbox_id;
    std::string event_id;
  };
  std::map<std::pair<std::string, Id>, std::vector<Seen>> by_aggregate;  // each in outbox id order
  for (Id after = 0;;) {
    const auto batch = tx.list_events(after, 5000);
    if (batch.empty()) break;
    for (const auto& e : batch) {
      after = e.id;
      const auto& type = e.event.aggregate_type;
      const auto id = e.event.aggregate_id;
      if ((type == "reservation" && rows.reservations.contains(id)) ||
          (type == "payment" && rows.payments.contains(id))) {
        by_aggregate[{type, id}].push_back({e.id, e.event_id});
      }
    }
  }
  for (const auto& [aggregate, events] : by_aggregate) {
    const Seen* previous = nullptr;
    std::size_t previous_at = 0;
    for (const auto& e : events) {
      ++verdict.events;
      const auto at = first_copy.find(e.event_id);
      if (at == first_copy.end()) {
        verdict.report.add("events", "event " + e.event_id + " (outbox " + std::to_string(e.outbox_id) + ") of " +
                                         aggregate.first + " " + std::to_string(aggregate.second) +
                                         " never reached the sink");
        continue;
      }
      if (previous && at->second < previous_at) {
        verdict.report.add("events", "event " + e.event_id + " (outbox " + std::to_string(e.outbox_id) +
                                         ") reached the sink before " + previous->event_id + " (outbox " +
                                         std::to_string(previous->outbox_id) + ") of the same " + aggregate.first);
      }
      previous = &e;
      previous_at = at->second;
    }
  }
}

}  // namespace

HistoryVerdict check_history(const HistoryInputs& in) {
  HistoryVerdict verdict;
  verdict.exchanges = in.history->size();
  std::map<GroupKey, Group> groups;
  std::set<std::string> users;
  for (const auto& e : *in.history) {
    const auto target = target_of(e);
    if (!target) continue;
    users.insert(e.user);
    auto& group = groups[group_key(e, *target)];
    group.target = *target;
    group.exchanges.push_back(&e);
  }

  auto tx = in.store->begin(ports::TxMode::Read);
  const Rows rows = read_rows(*tx, schedules_of(groups));
  Checker checker(rows, verdict);
  for (const auto& [key, group] : groups) {
    if (group.has(Told::Success)) {
      for (const auto* e : group.exchanges) {
        if (told_of(*e) == Told::Success) checker.acknowledged(*e, group.target);
      }
    } else {
      checker.failed(group.exchanges, group.target);
    }
  }
  check_unexplained(rows, groups, users, verdict);
  if (in.published) check_events(*tx, rows, *in.published, verdict);
  return verdict;
}

}  // namespace concert::audit
