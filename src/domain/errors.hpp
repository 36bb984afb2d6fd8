// Business outcomes that are not success. Each has a stable machine code; the HTTP
// layer maps it to a status (adapters/http/problem.cpp) and nothing else does.
#pragma once

#include <string>
#include <tl/expected.hpp>

namespace concert::domain {

enum class ErrorCode {
  InvalidInput,     // malformed or out-of-range input
  Unauthenticated,  // missing or bad credentials
  Forbidden,        // authenticated but not allowed
  NotFound,
  SalesClosed,        // queue entry outside the sales window
  TokenNotActive,     // queue token missing, waiting, expired or for another schedule
  SeatTaken,          // a requested seat is not AVAILABLE
  BadSeats,           // seat ids unknown, duplicated, of another schedule, or too many
  SeatLimitReached,   // user would exceed maxSeatsPerUser live seats
  InvalidState,       // transition not allowed from the current state
  PaymentInProgress,  // another payment for the reservation is at the gateway
  PaymentDeclined,
  HoldExpired,
  KeyInFlight,         // same Idempotency-Key still being processed
  KeyReused,           // same Idempotency-Key with another request body
  Replayed,            // the Idempotency-Key's stored answer is sent instead (never rendered)
  RateLimited,         // over an abuse limit of SPEC §4; retry after a while
  Unavailable,         // a dependency is down or overloaded; retry later
  GatewayUnavailable,  // the payment gateway did not answer, or its circuit breaker is open; retry later
  // (keep it last: tests walk every code up to it)
};

// An outcome the client may retry under the same Idempotency-Key (SPEC §4): it
// is not stored as the key's answer. Conflicts that may clear (in flight, a
// seat or state that may change), rate limits and unavailable dependencies.
constexpr bool may_retry(ErrorCode code) {
  switch (code) {
    case ErrorCode::SalesClosed:
    case ErrorCode::SeatTaken:
    case ErrorCode::SeatLimitReached:
    case ErrorCode::InvalidState:
    case ErrorCode::PaymentInProgress:
    case ErrorCode::KeyInFlight:
    case ErrorCode::RateLimited:
    case ErrorCode::Unavailable:
    case ErrorCode::GatewayUnavailable:
      return true;
    default:
      return false;
  }
}

struct Error {
  ErrorCode code;
  std::string detail;
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string detail) {
  return tl::unexpected<Error>(Error{code, std::move(detail)});
}

}  // namespace concert::domain
