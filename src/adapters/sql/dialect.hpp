// The statements one SQL dialect uses to implement ports::Tx (see sql_tx.hpp).
// Lists of ids are bound as one JSON array text, expanded by the dialect
// (json_each in SQLite, JSON_TABLE in MySQL/MariaDB).
#pragma once

#include <string_view>

namespace concert::adapters::sql {

struct Dialect {
  std::string_view begin_read;
  std::string_view begin_write;
  std::string_view insert_concert;
  std::string_view find_concert;
  std::string_view list_concerts;
  std::string_view any_concert;
  std::string_view insert_schedule;
  std::string_view find_schedule;
  std::string_view list_schedules;
  std::string_view list_all_schedules;
  std::string_view update_queue_settings;
  std::string_view insert_seat;
  std::string_view list_seats;
  std::string_view find_seats;
  std::string_view find_seats_to_hold;  // find_seats with LIVE_SEATS_OF_FAN_COLUMN; its parameters first
  // The id list comes first in these (ids, reservation_id, expires_at, schedule_id),
  // as MySQL's join form (UPDATE ... JOIN JSON_TABLE(?)) needs.
  std::string_view hold_seats;
  std::string_view sell_held_seats;
  std::string_view retake_seats;  // (ids, reservation_id)
  std::string_view release_seats;
  std::string_view insert_reservation;
  std::string_view insert_reservation_seat;
  std::string_view find_reservation;
  std::string_view find_reservation_by_key;
  std::string_view list_reservations;
  std::string_view schedule_reservation_seats;
  std::string_view lock_fan;  // empty: write transactions are serialised anyway
  std::string_view transition_reservation;
  std::string_view claim_for_payment;
  std::string_view clear_payment_claim;
  std::string_view mark_paid;
  std::string_view expired_holds;
  std::string_view insert_payment;
  std::string_view find_payment;
  std::string_view find_payment_by_key;
  std::string_view payments_for_reservation;
  std::string_view payments_in_status;
  std::string_view payments_of_schedule;
  std::string_view transition_payment;
  std::string_view insert_idempotency;
  std::string_view find_idempotency;
  std::string_view complete_idempotency;
  std::string_view delete_idempotency;
  std::string_view purge_idempotency;
  std::string_view heartbeat;  // (instance_id, seen_at): insert or refresh
  std::string_view last_heartbeat;
  std::string_view forget_heartbeats;
  std::string_view insert_event;
  std::string_view unpublished_events;
  std::string_view list_events;
  std::string_view mark_published;  // (ids, published_at)
  std::string_view sale_totals;
  // Reads inside a write transaction that later decisions depend on; in
  // MySQL/MariaDB they lock the row (FOR UPDATE), in SQLite the writer lock does.
  std::string_view find_reservation_locked;
  std::string_view expired_holds_locked;
};

}  // namespace concert::adapters::sql
