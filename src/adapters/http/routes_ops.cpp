// GET /healthz, /readyz, /metrics (at the root) and /api/v1/admin/kpis.
#include "adapters/http/respond.hpp"
#include "app/sale_kpis.hpp"

namespace concert::http {

namespace {

double ratio(double part, double whole) { return whole > 0 ? part / whole : 0.0; }

// Queue gauges are refreshed when scraped: their values live in the queue store.
nlohmann::json queue_snapshot(ApiContext& ctx) {
  auto& app = ctx.app;
  const auto now = app.ctx.clock.now();
  nlohmann::json per_schedule = nlohmann::json::array();
  std::int64_t waiting = 0, active = 0, admitted = 0;
  for (const auto& s : app.schedules.all()) {
    const auto counts = app.ctx.queue.counts(s.id);
    const int last_second = app.ctx.queue.admitted_since(s.id, now - std::chrono::seconds(1) + domain::Millis(1));
    const std::string label = std::to_string(s.id);
    ctx.metrics.gauge("concertd_queue_waiting", "Fans waiting in the queue", {{"schedule", label}}).set(counts.waiting);
    ctx.metrics.gauge("concertd_queue_active", "Fans admitted and active", {{"schedule", label}}).set(counts.active);
    per_schedule.push_back({{"scheduleId", s.id},
                            {"waiting", counts.waiting},
                            {"active", counts.active},
                            {"preQueue", counts.pre_queue},
                            {"admittedLastSecond", last_second}});
    waiting += counts.waiting;
    active += counts.active;
    admitted += last_second;
  }
  return {
      {"queueLength", waiting}, {"active", active}, {"promotionRatePerSecond", admitted}, {"schedules", per_schedule}};
}

}  // namespace

void add_ops_routes(Router& router, ApiContext& ctx) {
  router.add({"GET", "/healthz", Access::Public, [](Call&) -> boost::asio::awaitable<Response> {
                co_return json_response(200, {{"status", "ok"}});
              }});
  router.add({"GET", "/readyz", Access::Public, [&ctx](Call&) -> boost::asio::awaitable<Response> {
                if (ctx.draining && ctx.draining->load()) {
                  auto r = problem(503, "draining", "this instance is shutting down; send requests elsewhere");
                  r.headers.erase("Retry-After");  // not this instance: another one, now
                  co_return r;
                }
                const Work work = [&ctx] {
                  if (!ctx.ready()) return problem(503, "unavailable", "a dependency is unreachable");
                  return json_response(200, {{"status", "ready"}});
                };
                co_return co_await on_pool(ctx, work);
              }});
  router.add({"GET", "/metrics", Access::Public, [&ctx](Call&) -> boost::asio::awaitable<Response> {
                const Work work = [&ctx] {
                  queue_snapshot(ctx);
                  const bool draining = ctx.draining && ctx.draining->load();
                  ctx.app.ctx.kpis.ready.set(!draining && ctx.ready() ? 1.0 : 0.0);
                  Response r;
                  r.content_type = "text/plain; version=0.0.4";
                  r.body = ctx.metrics.render();
                  return r;
                };
                co_return co_await on_pool(ctx, work);
              }});
  router.add({"GET", "/api/v1/admin/kpis", Access::Admin, [&ctx](Call&) -> boost::asio::awaitable<Response> {
                const Work work = [&ctx] {
                  nlohmann::json body = queue_snapshot(ctx);
                  std::vector<domain::Id> ids;
                  for (const auto& s : ctx.app.schedules.all()) ids.push_back(s.id);
                  const auto sale = app::sale_kpis(ctx.app.ctx.store, ctx.app.ctx.queue, ids);
                  const auto& t = sale.totals;
                  body["promotionsTotal"] = sale.promotions;
                  body["averageWaitSeconds"] = sale.average_wait_seconds;
                  body["p95WaitSeconds"] = sale.p95_wait_seconds;
                  body["holdsTotal"] = t.holds;
                  body["holdExpiryRate"] = ratio(t.holds_expired, t.holds);
                  body["paymentsApproved"] = t.payments_approved;
                  body["paymentsFailed"] = t.payments_failed;
                  body["paymentFailureRate"] = ratio(t.payments_failed, t.payments_approved + t.payments_failed);
                  body["eventsPublished"] = t.events_published;
                  body["eventsUnpublished"] = t.events_unpublished;
                  // Conflicts leave no row (409 and 422 are not stored): only this
                  // instance's count exists; Prometheus sums the fleet's.
                  const auto& k = ctx.app.ctx.kpis;
                  body["thisInstance"] = {{"idempotentRequests", k.idempotency_requests.value()},
                                          {"idempotencyConflicts", k.idempotency_conflicts.value()},
                                          {"idempotencyConflictRate",
                                           ratio(k.idempotency_conflicts.value(), k.idempotency_requests.value())}};
                  return json_response(200, body);
                };
                co_return co_await on_pool(ctx, work);
              }});
}

}  // namespace concert::http
