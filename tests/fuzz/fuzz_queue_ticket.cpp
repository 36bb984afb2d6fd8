// libFuzzer target: the signed queue tokens of adapters/redis/queue_ticket.hpp,
// which any instance checks on every poll without asking Redis.
//
// Input: "USER\nTOKEN" (without a newline, all of it is the token of user
// "fan-1"), read two ways:
//  1. TOKEN verified for USER as sent: random text, and libFuzzer's mutations of
//     the signed seeds (signed with the key derived from this file's test secret);
//  2. TOKEN as "SCHEDULE.NAME[.anything]", signed here for USER, so that the
//     checks after the MAC see arbitrary schedule ids and names.
// A violated property aborts:
//  - a token that verifies names a ticket: a schedule id >= 1, a name "w<n>" or
//    "p<n>" with n >= 1 (pre_queue for "p"), the same ticket ticket_named reads;
//  - it round-trips: signing its ticket for USER gives back the token;
//  - it verifies for USER only, and under the key it was signed with only;
//  - a token signed for a schedule id and a name verifies to ticket_named's
//    ticket of them when the id is >= 1, and to nothing otherwise.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/redis/queue_ticket.hpp"

namespace {

using concert::adapters::redis::queue_token_key;
using concert::adapters::redis::Ticket;
using concert::adapters::redis::ticket_named;
using concert::adapters::redis::TicketSigner;

void check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s\n", property);
  std::abort();
}

// The key of a test-only JWT secret: the seeds in corpus/fuzz_queue_ticket are signed with it.
const TicketSigner& signer() {
  static const auto* s = new TicketSigner(queue_token_key("fuzz-only-jwt-secret-0123456789"));
  return *s;
}

const TicketSigner& other_signer() {
  static const auto* s = new TicketSigner(queue_token_key("another-fuzz-only-secret-0123456789"));
  return *s;
}

bool same(const std::optional<Ticket>& a, const std::optional<Ticket>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->schedule_id == b->schedule_id && a->name == b->name && a->pre_queue == b->pre_queue &&
                a->number == b->number);
}

bool digits_only(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void check_verified(const std::string& token, const std::string& user) {
  const auto ticket = signer().verify(token, user);
  if (!ticket) return;
  check(ticket->schedule_id >= 1, "a ticket's schedule id is >= 1");
  check(ticket->name.size() >= 2 && (ticket->name[0] == 'w' || ticket->name[0] == 'p') &&
            digits_only(std::string_view(ticket->name).substr(1)),
        "a ticket's name is w<n> or p<n>");
  check(ticket->number >= 1 && ticket->pre_queue == (ticket->name[0] == 'p'), "a ticket's number and kind");
  check(same(ticket, ticket_named(ticket->schedule_id, ticket->name)), "a ticket is what its name reads as");
  check(signer().sign(ticket->schedule_id, ticket->name, user) == token, "a ticket that verifies round-trips");
  check(!signer().verify(token, user + "x"), "a token verifies for its user only");
  check(!other_signer().verify(token, user), "a token verifies under its key only");
}

void check_signed(const std::string& text, const std::string& user) {
  const auto first = text.find('.');
  if (first == std::string::npos) return;
  std::int64_t schedule_id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + first, schedule_id);
  if (ec != std::errc() || end != text.data() + first) return;
  const auto last = text.rfind('.');
  const std::string name = last == first ? text.substr(first + 1) : text.substr(first + 1, last - first - 1);
  const auto token = signer().sign(schedule_id, name, user);
  const auto expected = schedule_id >= 1 ? ticket_named(schedule_id, name) : std::nullopt;
  check(same(signer().verify(token, user), expected), "a signed ticket verifies to what its name reads as");
  check_verified(token, user);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string user = newline == std::string::npos ? "fan-1" : input.substr(0, newline);
  const std::string token = newline == std::string::npos ? input : input.substr(newline + 1);
  check_verified(token, user);
  check_signed(token, user);
  return 0;
}
