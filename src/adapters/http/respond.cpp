#include "adapters/http/respond.hpp"

#include <spdlog/spdlog.h>

#include "ports/queue_store.hpp"
#include "ports/store.hpp"

namespace concert::http {

Response json_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

namespace {

// Dependency failures become a fast, clear 503 (SPEC I7); anything else is a bug.
Response guarded(const Work& work) {
  try {
    return work();
  } catch (const ports::StoreUnavailable& e) {
    spdlog::warn("store unavailable: {}", e.what());
    return problem(503, "unavailable", "the database is unavailable or overloaded; retry shortly");
  } catch (const ports::QueueFull& e) {
    return problem(503, "unavailable", e.what());
  }
}

}  // namespace

boost::asio::awaitable<Response> on_pool(ApiContext& ctx, const Work& work) {
  auto task = [&work] { return guarded(work); };
  try {
    co_return co_await ctx.pool.run(task);
  } catch (const PoolSaturated&) {
    co_return problem(503, "unavailable", "the server is at capacity; retry shortly");
  }
}

boost::asio::awaitable<Response> idempotent(ApiContext& ctx, Call& call, const char* scope, const Work& work) {
  auto key = call.request.header("Idempotency-Key");
  if (!key) co_return problem(400, "invalid-input", "an Idempotency-Key header is required");
  app::IdempotencyScope s{call.user.sub, scope, *key};
  // The key covers the exact request: same path and same body.
  const std::string fingerprint = call.request.method + " " + call.request.path() + "\n" + call.request.body;
  const Work task = [&ctx, &s, &fingerprint, &work]() -> Response {
    auto decision = ctx.app.idempotency.begin(s, fingerprint);
    if (!decision) return problem(decision.error());
    if (decision->replay) {
      Response r;
      r.status = decision->replay->status;
      r.body = decision->replay->body;
      if (r.status >= 400) r.content_type = "application/problem+json";
      r.headers["Idempotent-Replayed"] = "true";
      return r;
    }
    Response r = guarded(work);
    try {
      ctx.app.idempotency.finish(s, r.status, r.body);
    } catch (const ports::StoreUnavailable&) {
      // The record stays in flight and is taken over after the stale timeout.
      spdlog::warn("could not record the outcome of Idempotency-Key {}", s.key);
    }
    return r;
  };
  co_return co_await on_pool(ctx, task);
}

}  // namespace concert::http
