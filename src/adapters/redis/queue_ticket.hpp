// Queue tokens as fans hold them: "<scheduleId>.<ticket>.<mac>". The ticket names
// the fan's place ("w<seq>" numbered on entry, "p<n>" the n-th pre-queue
// entrant); the MAC binds it to the fan's user id, so any instance can answer a
// poll from the token and its serving snapshot without asking Redis who owns
// it (SPEC §2a, the signed sequence number of AWS Virtual Waiting Room).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/types.hpp"

namespace concert::adapters::redis {

struct Ticket {
  domain::Id schedule_id = 0;
  std::string name;  // "w<seq>" or "p<n>", the member in the schedule's Redis keys
  bool pre_queue = false;
  std::int64_t number = 0;  // seq for "w", n for "p"
};

// The ticket a Redis member names; nullopt for anything else.
std::optional<Ticket> ticket_named(domain::Id schedule_id, const std::string& name);

// The signing key every instance derives from the shared JWT secret (a key of
// its own, so a queue token can never pass for a JWT signature or the reverse).
std::string queue_token_key(std::string_view jwt_secret);

class TicketSigner {
 public:
  // `key`: a secret every instance shares (derived from the JWT secret).
  explicit TicketSigner(std::string key) : key_(std::move(key)) {}

  std::string sign(domain::Id schedule_id, const std::string& name, const domain::UserId& user) const;
  // The ticket if `token` is well formed and was signed for `user`.
  std::optional<Ticket> verify(const std::string& token, const domain::UserId& user) const;

 private:
  std::string mac(domain::Id schedule_id, const std::string& name, const domain::UserId& user) const;

  std::string key_;
};

}  // namespace concert::adapters::redis
