#include "bench/rush/audit_step.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include "audit/admissions.hpp"
#include "audit/invariants.hpp"
#include "audit/sources.hpp"
#include "domain/state_machines.hpp"

namespace concert::bench::rush {

namespace {

constexpr std::size_t kShownPerInvariant = 20;
// I6 allows 2 s from expiry to release (SPEC §5); the audit's own grace matches.
constexpr domain::Millis kSweepGrace{2000};

domain::TimePoint wall_now() { return std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now()); }

void print_verdict(std::ostream& out, const audit::InvariantReport& report, const char* invariant,
                   const std::string& note = "") {
  const auto found = report.of(invariant);
  if (found.empty()) {
    out << invariant << " held" << (note.empty() ? "" : " (" + note + ")") << "\n";
    return;
  }
  out << invariant << " VIOLATED (" << found.size() << ")\n";
  for (std::size_t i = 0; i < found.size() && i < kShownPerInvariant; ++i) out << "    " << found[i].detail << "\n";
  if (found.size() > kShownPerInvariant) out << "    ... and " << found.size() - kShownPerInvariant << " more\n";
}

void print_totals(std::ostream& out, ports::Tx& tx, std::int64_t schedule_id) {
  std::map<std::string, int> reservations, seats;
  for (const auto& r : tx.list_reservations(schedule_id)) ++reservations[std::string(domain::to_string(r.status))];
  for (const auto& s : tx.list_seats(schedule_id)) ++seats[std::string(domain::to_string(s.status))];
  out << "store: schedule " << schedule_id << ": reservations";
  for (const auto& [status, n] : reservations) out << " " << status << " " << n;
  out << "; seats";
  for (const auto& [status, n] : seats) out << " " << status << " " << n;
  out << "\n";
}

}  // namespace

Settled settle(ports::Store& store, std::int64_t schedule_id, std::chrono::duration<double> budget) {
  const auto started = std::chrono::steady_clock::now();
  const auto give_up_at = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(budget);
  Settled s;
  for (;;) {
    auto tx = store.begin(ports::TxMode::Read);
    s.unpublished_events = tx->unpublished_events(1000).size();
    s.expired_holds = 0;
    const auto now = wall_now();
    // Holds that expire early enough to be swept within the budget are waited
    // for too, so I6 sees the sweep at work rather than holds still running.
    const auto left = std::chrono::duration_cast<domain::Millis>(give_up_at - std::chrono::steady_clock::now());
    const auto horizon = std::max(now, now + left - kSweepGrace);
    std::size_t pending = 0;
    for (const auto& r : tx->list_reservations(schedule_id)) {
      if (r.status != domain::ReservationStatus::Held) continue;
      if (r.expires_at <= now) ++s.expired_holds;
      if (r.expires_at <= horizon) ++pending;
    }
    s.unsettled_payments = 0;
    for (const auto& p : tx->list_payments_of_schedule(schedule_id)) {
      s.unsettled_payments += !domain::is_final(p.status);
    }
    tx.reset();
    s.waited = std::chrono::steady_clock::now() - started;
    if ((s.unpublished_events == 0 && pending == 0 && s.unsettled_payments == 0) ||
        std::chrono::steady_clock::now() >= give_up_at) {
      return s;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool check_invariants_and_print(std::ostream& out, const RushOptions& o, ports::Store& store, std::int64_t schedule_id,
                                const AdmissionLog& admissions) {
  bool ok = true;
  {
    auto tx = store.begin(ports::TxMode::Read);
    if (!tx->find_schedule(schedule_id)) {
      out << "the store " << o.db << " has no schedule " << schedule_id << " (is --db the instances' database?)\n";
      return false;
    }
    print_totals(out, *tx, schedule_id);
  }

  audit::InvariantInputs in;
  in.store = &store;
  in.schedule_ids = {schedule_id};
  in.ledger_paths = o.ledgers;
  in.require_all_published = !o.events.empty();
  std::string i4_note = "events not compared with a sink: no --events";
  if (!o.events.empty()) {
    auto published = audit::read_published_events(o.events, o.redis_prefix);
    if (!published) {
      out << "cannot read the events: " << published.error().detail << "\n";
      return false;
    }
    std::size_t copies = 0;
    for (const auto& [id, n] : *published) copies += static_cast<std::size_t>(n);
    in.published_event_ids = audit::ids_of(*published);
    i4_note = std::to_string(in.published_event_ids.size()) + " events in the sink, " +
              std::to_string(copies - in.published_event_ids.size()) + " duplicate deliveries";
  }
  in.now = wall_now();
  in.expiry_grace = kSweepGrace;
  auto report = audit::check_invariants(in);

  std::string i5_note;
  if (admissions.state == AdmissionLog::State::Read) {
    const auto reservations = store.begin(ports::TxMode::Read)->list_reservations(schedule_id);
    audit::check_admissions(admissions.items, o.admit_per_second, reservations, report);
    i5_note = std::to_string(admissions.items.size()) + " admissions: FIFO, at most " +
              std::to_string(o.admit_per_second) + "/s, every hold after its fan's admission";
  }

  print_verdict(out, report, "I1");
  print_verdict(out, report, "I2");
  if (o.ledgers.empty()) {
    out << "I3 not checked: no --ledger\n";
  } else {
    print_verdict(out, report, "I3", std::to_string(o.ledgers.size()) + " ledger(s)");
  }
  print_verdict(out, report, "I4", i4_note);
  if (admissions.state == AdmissionLog::State::Read) {
    print_verdict(out, report, "I5", i5_note);
  } else {
    out << "I5 VIOLATED: the admission log could not be read: " << admissions.problem << "\n";
    ok = false;
  }
  print_verdict(out, report, "I6");
  return ok && report.ok();
}

}  // namespace concert::bench::rush
