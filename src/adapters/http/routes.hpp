// The HTTP API of SPEC §4, one file of routes per resource. Each route parses and
// checks its input, runs a use case (on the blocking pool when it touches the
// database), and renders the result. Business rules live in src/app.
#pragma once

#include <chrono>
#include <functional>

#include "adapters/http/blocking_pool.hpp"
#include "adapters/http/response_cache.hpp"
#include "adapters/http/router.hpp"
#include "app/services.hpp"
#include "platform/client_address.hpp"
#include "platform/metrics.hpp"

namespace concert::http {

struct ApiContext {
  app::Services& app;
  BlockingPool& pool;           // database work
  BlockingPool& payments_pool;  // payments and refunds: they wait on the gateway, holding no database connection
  // The queue and the abuse-limit buckets (Redis on the local profile): a stalled
  // database cannot hold them up, nor a stalled Redis the database's work.
  BlockingPool& queue_pool;
  platform::Registry& metrics;
  std::function<bool()> ready;                    // dependencies reachable (for /readyz)
  std::string pg_webhook_secret;                  // verifies POST /webhooks/pg; empty: every callback is refused
  const std::atomic<bool>* draining = nullptr;    // set on SIGTERM: /readyz answers 503 from then on
  app::AbuseLimits* limits = nullptr;             // null: no abuse limits (unit tests of single routes)
  platform::TrustedProxies trusted_proxies = {};  // whose X-Forwarded-For names the client
  // The fault switch (platform::Config::fault_*): off unless a rehearsal sets it.
  struct Faults {
    int error_per_mille = 0;
    std::chrono::milliseconds delay{0};
  } faults = {};
  // GET /concerts, /concerts/{id}, /concerts/{id}/schedules; the admin routes invalidate it.
  std::shared_ptr<ResponseCache> catalogue = std::make_shared<ResponseCache>(std::chrono::seconds(1), 1024);
};

void add_catalog_routes(Router& router, ApiContext& ctx);
void add_queue_routes(Router& router, ApiContext& ctx);
void add_reservation_routes(Router& router, ApiContext& ctx);
void add_payment_routes(Router& router, ApiContext& ctx);
void add_admin_routes(Router& router, ApiContext& ctx);
void add_ops_routes(Router& router, ApiContext& ctx);

}  // namespace concert::http
