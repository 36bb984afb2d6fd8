// POST /api/v1/schedules/{id}/queue, GET /api/v1/queue/status, DELETE /api/v1/queue
#include "adapters/http/respond.hpp"
#include "app/views.hpp"

namespace concert::http {

namespace {

Response queue_view(int status, const app::QueueView& v) {
  Response r;
  r.status = status;
  r.body = app::queue_json(v.token, v.eta_seconds);
  return r;
}

std::string queue_token(const Call& call) { return call.request.header("Queue-Token").value_or(""); }

}  // namespace

void add_queue_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/schedules/{id}/queue", Access::User,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const Work work = [&ctx, user = call.user.sub, id = call.ids[0]] {
                  return render(ctx.app.queue.enter(user, id),
                                [](const app::QueueView& v) { return queue_view(v.created ? 201 : 200, v); });
                };
                co_return co_await on_pool(ctx.queue_pool, work);
              }},
             app::LimitedAction::QueueEntry);
  // The poll of a rush: answered on the IO thread from memory (SPEC §2a); what
  // the Redis queue's serving snapshot cannot know yet goes to the pool.
  router.add({"GET", "/api/v1/queue/status", Access::User, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const auto token = queue_token(call);
                if (token.empty()) co_return problem(400, "invalid-input", "a Queue-Token header is required");
                const auto view = [](const app::QueueView& v) { return queue_view(200, v); };
                if (auto answered = ctx.app.queue.poll_from_memory(call.user.sub, token)) {
                  co_return render(*answered, view);
                }
                const Work work = [&ctx, user = call.user.sub, token, view] {
                  return render(ctx.app.queue.status(user, token), view);
                };
                co_return co_await on_pool(ctx.queue_pool, work);
              }});
  router.add({"DELETE", "/api/v1/queue", Access::User, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const auto token = queue_token(call);
                if (token.empty()) co_return problem(400, "invalid-input", "a Queue-Token header is required");
                const Work work = [&ctx, user = call.user.sub, token] {
                  auto left = ctx.app.queue.leave(user, token);
                  if (!left) return problem(left.error());
                  Response r;
                  r.status = 204;
                  r.content_type.clear();
                  return r;
                };
                co_return co_await on_pool(ctx.queue_pool, work);
              }});
}

}  // namespace concert::http
