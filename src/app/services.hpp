// All use cases of the server, wired to one AppContext.
#pragma once

#include "app/admin.hpp"
#include "app/catalog.hpp"
#include "app/idempotency.hpp"
#include "app/payments.hpp"
#include "app/queue_service.hpp"
#include "app/reservations.hpp"
#include "app/schedule_directory.hpp"

namespace concert::app {

struct Services {
  explicit Services(AppContext& context)
      : ctx(context),
        schedules(context),
        catalog(context),
        admin(context, schedules),
        queue(context, schedules),
        reservations(context, queue, schedules),
        payments(context),
        idempotency(context) {}

  AppContext& ctx;
  ScheduleDirectory schedules;
  Catalog catalog;
  Admin admin;
  QueueService queue;
  Reservations reservations;
  Payments payments;
  Idempotency idempotency;
};

}  // namespace concert::app
