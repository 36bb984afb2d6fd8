#include "domain/types.hpp"

#include <array>
#include <utility>

namespace concert::domain {
namespace {

template <typename E, std::size_t N>
std::string_view name_of(E value, const std::array<std::pair<E, std::string_view>, N>& names) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return "UNKNOWN";
}

template <typename E, std::size_t N>
std::optional<E> parse(std::string_view text, const std::array<std::pair<E, std::string_view>, N>& names) {
  for (const auto& [e, name] : names) {
    if (name == text) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<SeatStatus, std::string_view>, 3> kSeat{
    {{SeatStatus::Available, "AVAILABLE"}, {SeatStatus::Held, "HELD"}, {SeatStatus::Sold, "SOLD"}}};
constexpr std::array<std::pair<ReservationStatus, std::string_view>, 5> kReservation{
    {{ReservationStatus::Held, "HELD"},
     {ReservationStatus::Paid, "PAID"},
     {ReservationStatus::Expired, "EXPIRED"},
     {ReservationStatus::Cancelled, "CANCELLED"},
     {ReservationStatus::Refunded, "REFUNDED"}}};
constexpr std::array<std::pair<PaymentStatus, std::string_view>, 8> kPayment{
    {{PaymentStatus::Pending, "PENDING"},
     {PaymentStatus::Approved, "APPROVED"},
     {PaymentStatus::Declined, "DECLINED"},
     {PaymentStatus::Failed, "FAILED"},
     {PaymentStatus::RefundPending, "REFUND_PENDING"},
     {PaymentStatus::Refunded, "REFUNDED"},
     {PaymentStatus::VoidPending, "VOID_PENDING"},
     {PaymentStatus::Voided, "VOIDED"}}};
constexpr std::array<std::pair<TokenStatus, std::string_view>, 5> kToken{{{TokenStatus::Waiting, "WAITING"},
                                                                          {TokenStatus::Active, "ACTIVE"},
                                                                          {TokenStatus::Used, "USED"},
                                                                          {TokenStatus::Expired, "EXPIRED"},
                                                                          {TokenStatus::Left, "LEFT"}}};

}  // namespace

std::string_view to_string(SeatStatus s) { return name_of(s, kSeat); }
std::string_view to_string(ReservationStatus s) { return name_of(s, kReservation); }
std::string_view to_string(PaymentStatus s) { return name_of(s, kPayment); }
std::string_view to_string(TokenStatus s) { return name_of(s, kToken); }
std::optional<SeatStatus> seat_status_from(std::string_view s) { return parse(s, kSeat); }
std::optional<ReservationStatus> reservation_status_from(std::string_view s) { return parse(s, kReservation); }
std::optional<PaymentStatus> payment_status_from(std::string_view s) { return parse(s, kPayment); }

}  // namespace concert::domain
