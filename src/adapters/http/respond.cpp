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
    // Thrown by the database and the Redis adapters alike: the detail names
    // both, not which (the log has the dependency's own words).
    return problem(503, "unavailable",
                   "a service this request needs (the database or Redis) is unavailable or overloaded; retry shortly");
  } catch (const ports::QueueFull& e) {
    return problem(503, "unavailable", e.what());
  }
}

}  // namespace

boost::asio::awaitable<Response> on_pool(ApiContext& ctx, const Work& work) { return on_pool(ctx.pool, work); }

boost::asio::awaitable<Response> on_pool(BlockingPool& pool, const Work& work) {
  auto task = [&work] { return guarded(work); };
  try {
    co_return co_await pool.run(task);
  } catch (const PoolSaturated&) {
    co_return at_capacity();
  }
}

Response at_capacity() { return problem(503, "unavailable", "the server is at capacity; retry shortly"); }

std::string request_fingerprint(const Request& request) {
  return request.method + " " + request.path() + "\n" + request.body;
}

Response replayed(const app::StoredResponse& stored) {
  Response r;
  r.status = stored.status;
  r.body = stored.body;
  if (r.status >= 400) r.content_type = "application/problem+json";
  r.headers["Idempotent-Replayed"] = "true";
  return r;
}

}  // namespace concert::http
