#include "app/workers.hpp"

#include <spdlog/spdlog.h>

#include "app/outbox.hpp"
#include "app/transaction.hpp"
#include "domain/rules.hpp"
#include "domain/state_machines.hpp"

namespace concert::app {

int PromotionWorker::tick() {
  const auto now = ctx_.clock.now();
  int promoted_total = 0;
  for (const auto& s : schedules_.all()) {
    if (now >= s.sales_close_at) continue;
    ctx_.queue.expire(s.id, now, std::chrono::seconds(s.queue.waiting_idle_ttl_seconds));
    if (now < s.sales_open_at) continue;
    ctx_.queue.shuffle_pre_queue(s.id, seeds_());  // no-op once drawn
    // The window is (now - 1 s, now], so no one-second window ever sees more than the rate.
    const int recent = ctx_.queue.admitted_since(s.id, now - std::chrono::seconds(1) + domain::Millis(1));
    const auto counts = ctx_.queue.counts(s.id);
    const int allowed = domain::admissions_allowed(s.queue, recent, counts.active);
    if (allowed == 0 || counts.waiting == 0) continue;
    auto promoted = ctx_.queue.promote(s.id, allowed, now, std::chrono::seconds(s.queue.active_ttl_seconds));
    for (const auto& t : promoted) {
      ctx_.kpis.queue_wait_seconds.observe(std::chrono::duration<double>(now - t.entered_at).count());
    }
    ctx_.kpis.promotions.inc(promoted.size());
    promoted_total += static_cast<int>(promoted.size());
  }
  return promoted_total;
}

int ExpirySweeper::tick() {
  const auto now = ctx_.clock.now();
  std::set<domain::Id> touched_schedules;
  auto expired = in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<int> {
    touched_schedules.clear();
    int n = 0;
    for (auto id : tx.find_expired_holds(now, ctx_.settings.sweep_batch)) {
      if (!tx.transition_reservation(id, domain::ReservationStatus::Held, domain::ReservationStatus::Expired)) continue;
      tx.release_seats(id, domain::SeatStatus::Held);
      auto r = *tx.find_reservation(id);
      record(tx, r, "ReservationExpired", now);
      touched_schedules.insert(r.schedule_id);
      ++n;
    }
    return n;
  });
  for (auto id : touched_schedules) ctx_.seat_maps.invalidate(id);
  ctx_.kpis.holds_expired.inc(*expired);
  return *expired;
}

int OutboxRelay::tick() {
  auto batch = ctx_.store.begin(ports::TxMode::Read)->unpublished_events(ctx_.settings.relay_batch);
  ctx_.kpis.oldest_unpublished_seconds.set(
      batch.empty() ? 0.0 : std::chrono::duration<double>(ctx_.clock.now() - batch.front().created_at).count());
  if (batch.empty()) return 0;
  sink_.publish(batch);
  std::vector<domain::Id> ids;
  ids.reserve(batch.size());
  for (const auto& e : batch) ids.push_back(e.id);
  in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<void> {
    tx.mark_published(ids);
    return {};
  });
  ctx_.kpis.events_published.inc(batch.size());
  return static_cast<int>(batch.size());
}

int PaymentReconciler::tick() {
  const auto now = ctx_.clock.now();
  const auto before = now - ctx_.settings.reconcile_after;
  std::vector<domain::Payment> pending;
  std::optional<domain::TimePoint> oldest;
  {
    auto tx = ctx_.store.begin(ports::TxMode::Read);
    for (const auto status :
         {domain::PaymentStatus::Pending, domain::PaymentStatus::RefundPending, domain::PaymentStatus::VoidPending}) {
      if (auto first = tx->list_payments_in(status, now, 1); !first.empty()) {
        oldest = std::min(oldest.value_or(first[0].updated_at), first[0].updated_at);
      }
      auto some = tx->list_payments_in(status, before, ctx_.settings.reconcile_batch);
      pending.insert(pending.end(), some.begin(), some.end());
    }
  }
  ctx_.kpis.oldest_unsettled_seconds.set(oldest ? std::chrono::duration<double>(now - *oldest).count() : 0.0);
  int settled = 0;
  for (const auto& p : pending) {
    auto done = payments_.reconcile(p);
    if (done && domain::is_final(*done)) {
      ++settled;
      ctx_.kpis.reconciled(*done).inc();
    } else {
      spdlog::warn("payment {} stays {}: {}", p.id, to_string(p.status),
                   done ? std::string("still ") + std::string(to_string(*done)) : done.error().detail);
    }
  }
  return settled;
}

void InstanceHeartbeat::tick() {
  const auto now = ctx_.clock.now();
  in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<void> {
    tx.heartbeat(ctx_.settings.instance_id, now);
    tx.forget_heartbeats(now - std::chrono::hours(24));
    return {};
  });
}

int IdempotencyPurger::tick() {
  const auto before = ctx_.clock.now() - ctx_.settings.idempotency_ttl;
  auto purged = in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<int> {
    return tx.purge_idempotency(before, 1000);
  });
  return *purged;
}

}  // namespace concert::app
