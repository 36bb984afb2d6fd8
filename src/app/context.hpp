// What every use case needs: the ports, the settings, and the KPI handles.
// Built once by the composition root (main.cpp) from the chosen adapter set.
#pragma once

#include <chrono>
#include <string>

#include "app/kpis.hpp"
#include "ports/clock.hpp"
#include "ports/payment_gateway.hpp"
#include "ports/queue_store.hpp"
#include "ports/seat_lock.hpp"
#include "ports/seat_map_cache.hpp"
#include "ports/store.hpp"

namespace concert::app {

struct AppSettings {
  std::chrono::seconds hold_ttl{300};
  domain::QueueSettings default_queue;
  int default_max_seats_per_user = 4;
  std::chrono::hours idempotency_ttl{24};
  // This instance, as it signs the keys it claims and beats in instance_heartbeats.
  std::string instance_id = "instance";
  // An in-flight Idempotency-Key is taken over (its first request died with its
  // process) once its owner's heartbeat is older than owner_dead_after, or, for
  // a key of no recorded owner or of this very instance, once older than
  // idempotency_stale_after. The gateway's own idempotency keeps that safe.
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds owner_dead_after{3000};
  std::chrono::seconds idempotency_stale_after{60};
  // A REFUND_PENDING payment unchanged this long is finished by the reconciler.
  std::chrono::milliseconds reconcile_after{30'000};
  int reconcile_batch = 50;
  int sweep_batch = 200;
  int relay_batch = 500;
};

struct AppContext {
  ports::Store& store;
  ports::QueueStore& queue;
  ports::SeatMapCache& seat_maps;
  ports::SeatLock& seat_locks;
  ports::PaymentGateway& gateway;
  const ports::Clock& clock;
  AppSettings settings;
  Kpis& kpis;
  // Catalogue and seat-map reads (SPEC §8): a read replica that refuses when it
  // is down or behind (then the primary answers); null: the primary. Never holds.
  ports::Store* replica = nullptr;
};

}  // namespace concert::app
