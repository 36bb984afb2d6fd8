#include "adapters/redis/queue_ticket.hpp"

#include <charconv>

#include "platform/crypto.hpp"

namespace concert::adapters::redis {

namespace {

// 128 bits of HMAC-SHA256 are plenty for a token that lives as long as a sale.
constexpr std::size_t kMacHexLength = 32;

std::optional<std::int64_t> positive_number(std::string_view text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Ticket> ticket_named(domain::Id schedule_id, const std::string& name) {
  if (name.size() < 2 || (name[0] != 'w' && name[0] != 'p')) return std::nullopt;
  auto number = positive_number(std::string_view(name).substr(1));
  if (!number) return std::nullopt;
  return Ticket{schedule_id, name, name[0] == 'p', *number};
}

std::string queue_token_key(std::string_view jwt_secret) {
  return platform::hmac_sha256_hex(jwt_secret, "concertd queue tokens v1");
}

std::string TicketSigner::mac(domain::Id schedule_id, const std::string& name, const domain::UserId& user) const {
  return platform::hmac_sha256_hex(key_, std::to_string(schedule_id) + "." + name + "\n" + user)
      .substr(0, kMacHexLength);
}

std::string TicketSigner::sign(domain::Id schedule_id, const std::string& name, const domain::UserId& user) const {
  return std::to_string(schedule_id) + "." + name + "." + mac(schedule_id, name, user);
}

std::optional<Ticket> TicketSigner::verify(const std::string& token, const domain::UserId& user) const {
  const auto first = token.find('.');
  const auto last = token.rfind('.');
  if (first == std::string::npos || last == first) return std::nullopt;
  // sign() writes the id without leading zeros and MACs that: "012.w1.<mac of 12.w1>"
  // verified too, a second token for one ticket (found by tests/fuzz/fuzz_queue_ticket).
  if (token[0] == '0') return std::nullopt;
  auto schedule_id = positive_number(std::string_view(token).substr(0, first));
  if (!schedule_id) return std::nullopt;
  auto ticket = ticket_named(*schedule_id, token.substr(first + 1, last - first - 1));
  if (!ticket) return std::nullopt;
  if (!platform::constant_time_equals(token.substr(last + 1), mac(*schedule_id, ticket->name, user)))
    return std::nullopt;
  return ticket;
}

}  // namespace concert::adapters::redis
