// The allowed transitions of SPEC §3. Adapters apply transitions with conditional
// UPDATEs (WHERE status = from); these functions say which pairs are legal.
#pragma once

#include "domain/types.hpp"

namespace concert::domain {

bool can_transition(SeatStatus from, SeatStatus to);
bool can_transition(ReservationStatus from, ReservationStatus to);
bool can_transition(PaymentStatus from, PaymentStatus to);
bool can_transition(TokenStatus from, TokenStatus to);

bool is_live(ReservationStatus s);  // HELD or PAID: references its seats
bool is_final(PaymentStatus s);
// The gateway took the charge: APPROVED, or any state a refund or void goes through.
bool was_charged(PaymentStatus s);

}  // namespace concert::domain
