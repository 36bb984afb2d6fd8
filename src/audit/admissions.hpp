// SPEC I5 from a schedule's admission log (GET /admin/schedules/{id}/admissions):
// promotion is FIFO, never faster than admitPerSecond in any one-second window,
// and every reservation's user had been admitted when the hold was created.
// max_active is not checked here: the log does not say when a session ended.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "audit/report.hpp"
#include "domain/types.hpp"
#include "ports/queue_store.hpp"

namespace concert::audit {

using Admission = ports::Admission;

// Adds I5 violations for the log of one schedule and that schedule's reservations.
void check_admissions(std::span<const Admission> log, int admit_per_second,
                      std::span<const domain::Reservation> reservations, InvariantReport& report);

}  // namespace concert::audit
