// After the sale: wait (bounded) until the outbox relay has published everything,
// the expiry sweep has released every expired hold and the reconciler has
// settled every payment a lost answer left pending, then check SPEC §5
// I1-I6 against the store, the event sink, the gateway ledgers and the admission
// log, printing "I1 held" / "I1 VIOLATED" with the offending rows.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>

#include "bench/rush/admission_log.hpp"
#include "bench/rush/options.hpp"
#include "ports/store.hpp"

namespace concert::bench::rush {

struct Settled {
  std::chrono::duration<double> waited{0};
  std::size_t unpublished_events = 0;  // left when the wait ended
  std::size_t expired_holds = 0;       // HELD past their expiry, left when the wait ended
  std::size_t unsettled_payments = 0;  // PENDING, REFUND_PENDING or VOID_PENDING (the reconciler's), left
};

Settled settle(ports::Store& store, std::int64_t schedule_id, std::chrono::duration<double> budget);

// Prints the store's totals and one line per invariant; true when every checked
// invariant held and every requested source could be read.
bool check_invariants_and_print(std::ostream& out, const RushOptions& options, ports::Store& store,
                                std::int64_t schedule_id, const AdmissionLog& admissions);

}  // namespace concert::bench::rush
