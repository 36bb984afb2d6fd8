#include "audit/invariants.hpp"

#include <algorithm>
#include <map>

#include "audit/ledger.hpp"
#include "domain/state_machines.hpp"

namespace concert::audit {

using domain::PaymentStatus;
using domain::ReservationStatus;
using domain::SeatStatus;

namespace {

void check_seats(ports::Tx& tx, domain::Id schedule_id, const std::vector<domain::Reservation>& reservations,
                 InvariantReport& report) {
  std::map<domain::Id, const domain::Reservation*> by_id;
  std::map<domain::Id, std::vector<domain::Id>> live_by_seat;
  for (const auto& r : reservations) {
    by_id[r.id] = &r;
    if (domain::is_live(r.status)) {
      for (auto seat : r.seat_ids) live_by_seat[seat].push_back(r.id);
    }
  }
  for (const auto& [seat, holders] : live_by_seat) {
    if (holders.size() > 1) {
      report.add("I1", "seat " + std::to_string(seat) + " is referenced by " + std::to_string(holders.size()) +
                           " live reservations");
    }
  }
  for (const auto& seat : tx.list_seats(schedule_id)) {
    const auto where = "seat " + std::to_string(seat.id) + " (" + std::string(to_string(seat.status)) + ")";
    if (seat.status == SeatStatus::Available) {
      if (live_by_seat.contains(seat.id)) report.add("I1", where + " is AVAILABLE but a live reservation holds it");
      continue;
    }
    if (!seat.reservation_id || !by_id.contains(*seat.reservation_id)) {
      report.add("I1", where + " references no reservation");
      continue;
    }
    const auto& r = *by_id.at(*seat.reservation_id);
    const auto expected = seat.status == SeatStatus::Sold ? ReservationStatus::Paid : ReservationStatus::Held;
    if (r.status != expected) {
      report.add("I1", where + " belongs to reservation " + std::to_string(r.id) + " which is " +
                           std::string(to_string(r.status)));
    }
  }
  for (const auto& r : reservations) {
    if (!domain::is_live(r.status)) continue;
    for (const auto& seat : tx.find_seats(schedule_id, r.seat_ids)) {
      if (seat.reservation_id != r.id) {
        report.add("I1", "live reservation " + std::to_string(r.id) + " does not own seat " + std::to_string(seat.id));
      }
    }
  }
}

void check_payments(const std::vector<domain::Reservation>& reservations, const std::vector<domain::Payment>& payments,
                    InvariantReport& report) {
  std::map<domain::Id, std::vector<const domain::Payment*>> approved_by_reservation;
  std::map<domain::Id, const domain::Reservation*> by_id;
  for (const auto& r : reservations) by_id[r.id] = &r;
  for (const auto& p : payments) {
    // REFUND_PENDING: the money is still taken until the gateway confirms the refund.
    if (p.status == PaymentStatus::Approved || p.status == PaymentStatus::RefundPending) {
      approved_by_reservation[p.reservation_id].push_back(&p);
    }
  }
  for (const auto& r : reservations) {
    const auto& approved = approved_by_reservation[r.id];
    if (r.status == ReservationStatus::Paid) {
      if (approved.size() != 1) {
        report.add("I2", "PAID reservation " + std::to_string(r.id) + " has " + std::to_string(approved.size()) +
                             " APPROVED payments");
      } else if (approved[0]->amount != r.amount) {
        report.add("I2", "reservation " + std::to_string(r.id) + " amount " + std::to_string(r.amount) +
                             " != payment " + std::to_string(approved[0]->id) + " amount " +
                             std::to_string(approved[0]->amount));
      }
    } else if (!approved.empty()) {
      report.add("I2", "APPROVED payment " + std::to_string(approved[0]->id) + " belongs to " +
                           std::string(to_string(r.status)) + " reservation " + std::to_string(r.id));
    }
  }
}

void check_outbox(ports::Tx& tx, const std::vector<domain::Reservation>& reservations,
                  const std::vector<domain::Payment>& payments, const InvariantInputs& in, InvariantReport& report) {
  std::map<std::pair<std::string, domain::Id>, std::vector<std::int64_t>> versions;
  domain::Id after = 0;
  for (;;) {
    auto batch = tx.list_events(after, 5000);
    if (batch.empty()) break;
    for (const auto& e : batch) {
      versions[{e.event.aggregate_type, e.event.aggregate_id}].push_back(e.event.aggregate_version);
      if (in.require_all_published && !e.published) {
        report.add("I4", "event " + e.event_id + " is not published");
      }
      if (in.require_all_published && !in.published_event_ids.contains(e.event_id)) {
        report.add("I4", "event " + e.event_id + " never reached the sink");
      }
      after = e.id;
    }
  }
  auto expect = [&](const std::string& type, domain::Id id, std::int64_t version) {
    auto& seen = versions[{type, id}];
    std::sort(seen.begin(), seen.end());
    std::vector<std::int64_t> want(static_cast<std::size_t>(version));
    for (std::int64_t v = 1; v <= version; ++v) want[static_cast<std::size_t>(v - 1)] = v;
    if (seen != want) {
      report.add("I4", type + " " + std::to_string(id) + " is at version " + std::to_string(version) + " but has " +
                           std::to_string(seen.size()) + " events");
    }
  };
  for (const auto& r : reservations) expect("reservation", r.id, r.version);
  for (const auto& p : payments) expect("payment", p.id, p.version);
}

}  // namespace

InvariantReport check_invariants(const InvariantInputs& in) {
  InvariantReport report;
  auto tx = in.store->begin(ports::TxMode::Read);
  std::vector<domain::Reservation> all_reservations;
  std::vector<domain::Payment> all_payments;
  for (auto schedule_id : in.schedule_ids) {
    auto reservations = tx->list_reservations(schedule_id);
    auto payments = tx->list_payments_of_schedule(schedule_id);
    check_seats(*tx, schedule_id, reservations, report);
    check_payments(reservations, payments, report);
    if (in.now) {
      for (const auto& r : reservations) {
        if (r.status == ReservationStatus::Held && r.expires_at + in.expiry_grace < *in.now) {
          report.add("I6", "reservation " + std::to_string(r.id) + " is still HELD past its expiry");
        }
      }
    }
    all_reservations.insert(all_reservations.end(), reservations.begin(), reservations.end());
    all_payments.insert(all_payments.end(), payments.begin(), payments.end());
  }
  if (!in.ledger_paths.empty()) {
    // Every ledger together: one key charged by two instances' sandboxes is charged twice.
    std::vector<LedgerEntry> entries;
    for (const auto& source : in.ledger_paths) {
      auto read = read_ledger(source);
      if (!read) {
        report.add("I3", read.error().detail);
        continue;
      }
      entries.insert(entries.end(), read->begin(), read->end());
    }
    check_ledger(entries, all_payments, *tx, report);
  }
  check_outbox(*tx, all_reservations, all_payments, in, report);
  return report;
}

}  // namespace concert::audit
