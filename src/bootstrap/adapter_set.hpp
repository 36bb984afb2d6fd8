// One profile's adapters behind the ports, owned together.
#pragma once

#include <functional>
#include <memory>

#include "ports/clock.hpp"
#include "ports/event_sink.hpp"
#include "ports/lease.hpp"
#include "ports/payment_gateway.hpp"
#include "ports/queue_store.hpp"
#include "ports/rate_limiter.hpp"
#include "ports/seat_lock.hpp"
#include "ports/seat_map_cache.hpp"
#include "ports/store.hpp"

namespace concert::bootstrap {

struct AdapterSet {
  std::shared_ptr<void> instance_guard;  // the embedded lock file, or the shared clients; released last
  std::unique_ptr<ports::Clock> clock;
  std::unique_ptr<ports::Store> store;
  std::unique_ptr<ports::Store> replica;  // a read replica of the store, or null
  std::unique_ptr<ports::QueueStore> queue;
  std::unique_ptr<ports::SeatMapCache> seat_maps;
  std::unique_ptr<ports::SeatLock> seat_locks;
  std::unique_ptr<ports::PaymentGateway> gateway;
  std::unique_ptr<ports::EventSink> sink;
  std::unique_ptr<ports::Lease> lease;               // which instance runs promotion and the relay
  std::unique_ptr<ports::RateLimiter> rate_limiter;  // the abuse limits' buckets, shared by the profile's instances
  std::function<bool()> ready;                       // every dependency reachable
  // What works on the adapters in the background (the embedded queue's
  // snapshot writer): declared last, so it stops before they go.
  std::shared_ptr<void> background;
};

}  // namespace concert::bootstrap
