// Background work of SPEC §3: promotion, hold expiry, outbox relay, purge of old
// idempotency records. Each tick() is one bounded batch, driven by a
// PeriodicWorker (worker_loop.hpp) in production and called directly by tests.
#pragma once

#include <cstdint>
#include <random>
#include <set>

#include "app/context.hpp"
#include "app/payments.hpp"
#include "app/schedule_directory.hpp"
#include "ports/event_sink.hpp"

namespace concert::app {

class PromotionWorker {
 public:
  PromotionWorker(AppContext& ctx, ScheduleDirectory& schedules) : ctx_(ctx), schedules_(schedules) {}
  // Draws pre-queues that just opened, expires idle or timed-out tokens, and
  // promotes waiting fans FIFO within admit_per_second and max_active. Returns promotions.
  int tick();

 private:
  AppContext& ctx_;
  ScheduleDirectory& schedules_;
  std::mt19937_64 seeds_{std::random_device{}()};
};

class ExpirySweeper {
 public:
  explicit ExpirySweeper(AppContext& ctx) : ctx_(ctx) {}
  // HELD reservations past expires_at -> EXPIRED, their seats AVAILABLE. Returns expired count.
  int tick();

 private:
  AppContext& ctx_;
};

class OutboxRelay {
 public:
  OutboxRelay(AppContext& ctx, ports::EventSink& sink) : ctx_(ctx), sink_(sink) {}
  // Publishes unpublished events in id order, then marks them. At least once:
  // a crash between the two republishes the batch with the same event ids.
  int tick();

 private:
  AppContext& ctx_;
  ports::EventSink& sink_;
};

// Finishes payments left in a *_PENDING state (SPEC §3, §4a) once unchanged for
// settings.reconcile_after: a PENDING one (its answer was lost and nobody
// retried, or its request died) is looked up at the gateway by its charge key
// and settled APPROVED, DECLINED, or FAILED when the gateway never took it; a
// REFUND_PENDING or VOID_PENDING one is refunded again under the payment's own
// refund key, which refunds it at most once. Runs on the lease holder; exports
// the age of the oldest unsettled payment. Returns payments settled (each state
// takes up to reconcile_batch per tick).
class PaymentReconciler {
 public:
  PaymentReconciler(AppContext& ctx, Payments& payments) : ctx_(ctx), payments_(payments) {}
  int tick();

 private:
  AppContext& ctx_;
  Payments& payments_;
};

// This instance's liveness (settings.instance_id in instance_heartbeats), so the
// Idempotency-Keys it claimed are known to be orphaned within owner_dead_after
// of its death. Runs on every serving instance, whatever --workers says.
class InstanceHeartbeat {
 public:
  explicit InstanceHeartbeat(AppContext& ctx) : ctx_(ctx) {}
  void tick();

 private:
  AppContext& ctx_;
};

class IdempotencyPurger {
 public:
  explicit IdempotencyPurger(AppContext& ctx) : ctx_(ctx) {}
  int tick();

 private:
  AppContext& ctx_;
};

}  // namespace concert::app
