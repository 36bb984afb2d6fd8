// Row -> struct mapping for the SQLite adapter (column orders are in sql.hpp).
#pragma once

#include <span>
#include <string>

#include "adapters/sqlite/connection.hpp"
#include "domain/events.hpp"
#include "domain/types.hpp"

namespace concert::adapters::sqlite {

domain::Seat seat_from(const Statement& s);
domain::Schedule schedule_from(const Statement& s);
domain::Reservation reservation_from(const Statement& s);  // without seat_ids
domain::Payment payment_from(const Statement& s);
domain::OutboxEvent event_from(const Statement& s);
std::string json_id_list(std::span<const domain::Id> ids);
domain::TimePoint time_from(std::int64_t ms);

}  // namespace concert::adapters::sqlite
