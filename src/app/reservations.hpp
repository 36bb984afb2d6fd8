// Seat holds: hold, read, cancel (SPEC §3, §4). A hold is one short transaction
// whose conditional UPDATE (AVAILABLE -> HELD) decides who gets a seat.
#pragma once

#include <string>
#include <vector>

#include "app/context.hpp"
#include "app/idempotency.hpp"
#include "app/queue_service.hpp"
#include "domain/errors.hpp"

namespace concert::app {

struct HoldRequest {
  domain::UserId user;
  domain::Id schedule_id = 0;
  std::vector<domain::Id> seat_ids;
  std::string queue_token;
  std::string idempotency_key;
};

class Reservations {
 public:
  Reservations(AppContext& ctx, QueueService& queue, ScheduleDirectory& schedules)
      : ctx_(ctx), queue_(queue), schedules_(schedules) {}

  // With a key, the hold claims it and stores its answer in its one transaction.
  domain::Result<domain::Reservation> hold(const HoldRequest& request, Keyed<domain::Reservation>* key = nullptr);
  domain::Result<domain::Reservation> get(const domain::UserId& user, domain::Id reservation_id);
  domain::Result<domain::Reservation> cancel(const domain::UserId& user, domain::Id reservation_id);

 private:
  AppContext& ctx_;
  QueueService& queue_;
  ScheduleDirectory& schedules_;
};

}  // namespace concert::app
