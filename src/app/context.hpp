// What every use case needs: the ports, the settings, and the KPI handles.
// Built once by the composition root (main.cpp) from the chosen adapter set.
#pragma once

#include <chrono>

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
  // An in-flight Idempotency-Key older than this is taken over (its first request
  // died with its process); the gateway's own idempotency keeps that safe.
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
};

}  // namespace concert::app
