// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>

#include "adapters/http/api.hpp"
#include "adapters/http/server.hpp"
#include "adapters/inproc/rate_limiter.hpp"
#include "adapters/sqlite/sqlite_store.hpp"
#include "app/replica_reads.hpp"
#include "app/services.hpp"
#include "app/worker_loop.hpp"
#include "app/workers.hpp"
#include "bootstrap/embedded.hpp"
#include "bootstrap/gateway.hpp"
#include "bootstrap/invariant_auditor.hpp"
#include "bootstrap/local.hpp"
#include "bootstrap/serve.hpp"
#include "platform/crypto.hpp"
#include "platform/logging.hpp"

namespace concert::bootstrap {

namespace {

domain::Result<AdapterSet> open_profile(const platform::Config& config) {
  if (config.profile == "embedded") return open_embedded(config);
  if (config.profile == "local" || config.profile == "production") return open_local(config);
  return domain::fail(domain::ErrorCode::InvalidInput,
                      "unknown profile '" + config.profile + "' (known: embedded, local, production)");
}

app::AbuseLimitSettings abuse_limits_from(const platform::Config& c) {
  return {{c.limit_entry_user_per_second, c.limit_entry_user_burst},
          {c.limit_entry_address_per_second, c.limit_entry_address_burst},
          {c.limit_write_user_per_second, c.limit_write_user_burst},
          {c.limit_write_address_per_second, c.limit_write_address_burst}};
}

app::AppSettings settings_from(const platform::Config& c) {
  app::AppSettings s;
  s.hold_ttl = std::chrono::seconds(c.hold_ttl_seconds);
  s.default_queue = {c.admit_per_second, c.max_active, c.active_ttl_seconds, c.waiting_idle_ttl_seconds};
  s.default_max_seats_per_user = c.max_seats_per_user;
  s.idempotency_ttl = std::chrono::hours(c.idempotency_ttl_hours);
  s.relay_batch = c.relay_batch;
  s.reconcile_after = std::chrono::milliseconds(c.reconcile_after_ms);
  return s;
}

// The background workers this instance runs (SPEC §7 --workers).
// Promotion, the relay and the reconciler run on one instance at a time (the lease holder);
// the expiry sweep runs everywhere, each instance taking rows nobody else holds.
std::vector<std::unique_ptr<app::PeriodicWorker>> start_workers(const platform::Config& c, app::AppContext& ctx,
                                                                app::Services& services, ports::EventSink& sink,
                                                                ports::Lease& lease, const std::string& owner) {
  std::vector<std::unique_ptr<app::PeriodicWorker>> workers;
  auto ms = [](int v) { return std::chrono::milliseconds(v); };
  auto leased = [&lease, owner](const char* name, std::chrono::milliseconds interval) {
    // A lease outlives a few missed ticks, so a live holder keeps it.
    return [&lease, owner, name, ttl = std::max(interval * 20, std::chrono::milliseconds(2000))] {
      return lease.hold(name, owner, ttl);
    };
  };
  if (c.workers.contains("promotion")) {
    auto w = std::make_shared<app::PromotionWorker>(ctx, services.schedules);
    auto holds = leased("promotion", ms(c.promotion_interval_ms));
    workers.push_back(std::make_unique<app::PeriodicWorker>("promotion", ms(c.promotion_interval_ms), [w, holds] {
      if (holds()) w->tick();
      return false;
    }));
  }
  if (c.workers.contains("expiry")) {
    auto w = std::make_shared<app::ExpirySweeper>(ctx);
    workers.push_back(std::make_unique<app::PeriodicWorker>(
        "expiry", ms(c.sweep_interval_ms), [w, batch = ctx.settings.sweep_batch] { return w->tick() == batch; }));
  }
  if (c.workers.contains("relay")) {
    auto w = std::make_shared<app::OutboxRelay>(ctx, sink);
    auto holds = leased("relay", ms(c.relay_interval_ms));
    workers.push_back(std::make_unique<app::PeriodicWorker>(
        "relay", ms(c.relay_interval_ms),
        [w, holds, batch = ctx.settings.relay_batch] { return holds() && w->tick() == batch; }));
  }
  if (c.workers.contains("reconcile")) {
    auto w = std::make_shared<app::PaymentReconciler>(ctx, services.payments);
    auto holds = leased("reconcile", ms(c.reconcile_interval_ms));
    workers.push_back(std::make_unique<app::PeriodicWorker>(
        "reconcile", ms(c.reconcile_interval_ms),
        [w, holds, batch = ctx.settings.reconcile_batch] { return holds() && w->tick() == batch; }));
  }
  // Every serving instance beats, whatever --workers says: its claimed keys are
  // taken over within seconds of its death. The first beat precedes serving.
  auto beat = std::make_shared<app::InstanceHeartbeat>(ctx);
  try {
    beat->tick();
  } catch (const std::exception& e) {
    spdlog::warn("first heartbeat failed (retried every {} ms): {}", ctx.settings.heartbeat_interval.count(), e.what());
  }
  workers.push_back(std::make_unique<app::PeriodicWorker>("heartbeat", ctx.settings.heartbeat_interval, [beat] {
    beat->tick();
    return false;
  }));
  if (c.workers.contains("audit")) {
    auto w = std::make_shared<InvariantAuditor>(ctx, services.schedules, sandbox_ledger_path(c));
    auto holds = leased("audit", ms(c.audit_interval_ms));
    workers.push_back(std::make_unique<app::PeriodicWorker>("audit", ms(c.audit_interval_ms), [w, holds] {
      if (holds()) w->tick();
      return false;
    }));
  }
  if (c.workers.contains("purge")) {
    auto w = std::make_shared<app::IdempotencyPurger>(ctx);
    workers.push_back(
        std::make_unique<app::PeriodicWorker>("purge", std::chrono::minutes(1), [w] { return w->tick() > 0; }));
  }
  return workers;
}

}  // namespace

domain::Result<void> migrate(const platform::Config& config) {
  if (config.profile != "embedded") return migrate_local(config);
  try {
    std::filesystem::create_directories(config.data_dir);
    adapters::sqlite::migrate_sqlite(embedded_database_path(config));
  } catch (const std::exception& e) {
    return domain::fail(domain::ErrorCode::Unavailable, e.what());
  }
  spdlog::info("migrations applied to {}", embedded_database_path(config));
  return {};
}

domain::Result<void> serve(const platform::Config& config) {
  auto adapters = open_profile(config);
  if (!adapters) return tl::unexpected(adapters.error());

  platform::Registry registry;
  app::Kpis kpis(registry);
  // Owner of this instance's leases and of the Idempotency-Keys it claims.
  const auto instance_id = platform::random_hex(8);
  auto settings = settings_from(config);
  settings.instance_id = instance_id;
  std::unique_ptr<app::ReplicaReads> replica;
  if (adapters->replica) {
    replica = std::make_unique<app::ReplicaReads>(
        std::move(adapters->replica), *adapters->clock, instance_id,
        std::chrono::milliseconds(config.replica_max_lag_ms) + settings.heartbeat_interval);
  }
  app::AppContext ctx{*adapters->store,
                      *adapters->queue,
                      *adapters->seat_maps,
                      *adapters->seat_locks,
                      *adapters->gateway,
                      *adapters->clock,
                      settings,
                      kpis,
                      replica.get()};
  app::Services services(ctx);
  if (config.demo && services.admin.seed_demo()) {
    platform::log_json(spdlog::level::info, {{"msg", "seeded demo concert"}, {"schedules", 2}, {"seatsEach", 1000}});
  }

  auto workers = start_workers(config, ctx, services, *adapters->sink, *adapters->lease, instance_id);
  const std::chrono::milliseconds queue_timeout(config.db_queue_timeout_ms);
  http::BlockingPool pool(config.db_threads, static_cast<std::size_t>(config.db_queue_limit), queue_timeout);
  http::BlockingPool payments_pool(config.payment_threads, static_cast<std::size_t>(config.db_queue_limit),
                                   queue_timeout);
  http::BlockingPool queue_pool(config.queue_threads, static_cast<std::size_t>(config.db_queue_limit), queue_timeout);
  auto proxies = platform::TrustedProxies::parse(config.trusted_proxies);
  if (!proxies) return tl::unexpected(proxies.error());
  // While the shared buckets cannot be reached, this instance counts in its own.
  adapters::inproc::InProcessRateLimiter local_buckets;
  app::AbuseLimits limits(adapters->rate_limiter ? *adapters->rate_limiter : local_buckets, local_buckets,
                          abuse_limits_from(config), registry);
  std::atomic<bool> draining{false};  // SIGTERM came: see the signal handler below
  http::ApiContext api_context{
      services, pool, payments_pool, queue_pool, registry, adapters->ready, config.pg_webhook_secret};
  api_context.limits = &limits;
  api_context.draining = &draining;
  api_context.trusted_proxies = *proxies;
  api_context.faults = {config.fault_error_per_mille, std::chrono::milliseconds(config.fault_delay_ms)};
  if (config.fault_error_per_mille > 0 || config.fault_delay_ms > 0) {
    spdlog::warn("FAULT SWITCH ON: {} per mille of /api/v1 requests fail with 500 injected-fault, each delayed {} ms",
                 config.fault_error_per_mille, config.fault_delay_ms);
  }
  http::Api api(std::move(api_context), config.jwt_secret);
  if (config.pg_webhook_secret.empty()) {
    spdlog::info("no CONCERTD_PG_WEBHOOK_SECRET: POST /api/v1/webhooks/pg refuses every gateway callback");
  }

  boost::asio::io_context ioc(1);
  http::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.io_threads = config.io_threads;
  options.body_limit = static_cast<std::size_t>(config.body_limit_bytes);
  options.header_limit = static_cast<std::size_t>(config.header_limit_bytes);
  options.max_connections = config.max_connections;
  options.max_connections_per_address = config.max_connections_per_address;
  options.trusted_proxies = *proxies;
  options.read_timeout = std::chrono::milliseconds(config.read_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  options.draining = &draining;
  std::unique_ptr<http::HttpServer> server;
  try {
    server = std::make_unique<http::HttpServer>(
        ioc, options, [&api](http::Request r) { return api.handle(std::move(r)); },
        [&api](const http::TransportAnswer& answer, http::Response& r) { api.record_transport(answer, r); });
    server->start();
  } catch (const std::exception& e) {
    return domain::fail(domain::ErrorCode::Unavailable, "cannot listen on " + config.listen_host + ":" +
                                                            std::to_string(config.listen_port) + ": " + e.what());
  }
  platform::log_json(spdlog::level::info, {{"msg", "listening"},
                                           {"address", config.listen_host + ":" + std::to_string(server->bound_port())},
                                           {"profile", config.profile},
                                           {"dataDir", config.data_dir}});
  platform::flush_logs();  // scripts and tests wait for this line

  // SPEC §6 shutdown: the first SIGTERM (or SIGINT) drains: /readyz says 503 at
  // once, requests are served for drain_ms more, then the server stops accepting
  // and finishes what is in flight. A second signal stops without waiting.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  boost::asio::steady_timer drain_timer(ioc);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                             int signal) {
    if (ec) return;
    if (draining.exchange(true)) {
      platform::log_json(spdlog::level::info, {{"msg", "shutting down now"}, {"signal", signal}});
      drain_timer.cancel();
      server->stop();
      return;
    }
    platform::log_json(spdlog::level::info, {{"msg", "draining"}, {"signal", signal}, {"drainMs", config.drain_ms}});
    signals.async_wait(on_signal);
    drain_timer.expires_after(std::chrono::milliseconds(config.drain_ms));
    drain_timer.async_wait([&](const boost::system::error_code& waited) {
      if (waited) return;  // a second signal stopped it already
      platform::log_json(spdlog::level::info, {{"msg", "shutting down"}});
      server->stop();
      signals.cancel();  // nothing more to wait for: run() returns once the server is done
    });
  };
  signals.async_wait(on_signal);

  ioc.run();  // accepts; returns once stop() has drained the connections (the server runs them)
  // A pool task holds a timer of its request's io_context until it ends (one
  // refused in the queue, until a thread skips it): the tasks end before the
  // server's contexts do.
  pool.finish();
  payments_pool.finish();
  queue_pool.finish();
  server.reset();

  // In-flight requests are answered; now stop the workers and flush the outbox.
  workers.clear();
  try {
    // Only the relay's lease holder flushes, so two relays never publish at once.
    if (config.workers.contains("relay") && adapters->lease->hold("relay", instance_id, std::chrono::seconds(5))) {
      app::OutboxRelay relay(ctx, *adapters->sink);
      while (relay.tick() == ctx.settings.relay_batch) {
      }
    }
  } catch (const std::exception& e) {
    spdlog::warn("final outbox flush failed (events stay queued for the next start): {}", e.what());
  }
  // Another instance takes the leased jobs over at its next tick, not after the ttl.
  for (const char* job : {"promotion", "relay", "reconcile", "audit"}) {
    try {
      adapters->lease->release(job, instance_id);
    } catch (const std::exception& e) {
      spdlog::warn("lease {} not handed back (it expires by itself): {}", job, e.what());
    }
  }
  platform::log_json(spdlog::level::info, {{"msg", "stopped"}});
  return {};
}

}  // namespace concert::bootstrap
