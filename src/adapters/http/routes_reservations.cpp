// POST /api/v1/reservations, GET and DELETE /api/v1/reservations/{id}
#include "adapters/http/request_bodies.hpp"
#include "adapters/http/respond.hpp"
#include "app/views.hpp"

namespace concert::http {

namespace {

Response reservation_view(int status, const domain::Reservation& r) { return json_response(status, app::to_json(r)); }

}  // namespace

void add_reservation_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/reservations", Access::User,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto body = read_hold_body(call.request.body);
                if (!body) co_return problem(body.error());
                const app::HoldRequest request{call.user.sub, body->schedule_id, body->seat_ids,
                                               call.request.header("Queue-Token").value_or(""),
                                               call.request.header("Idempotency-Key").value_or("")};
                const KeyedUseCase<domain::Reservation> hold = [&ctx, &request](auto& key) {
                  return ctx.app.reservations.hold(request, &key);
                };
                const View<domain::Reservation> view = [](const auto& r) { return reservation_view(201, r); };
                co_return co_await idempotent(ctx, ctx.pool, call, "reservations", hold, view);
              }},
             app::LimitedAction::Write);
  router.add({"GET", "/api/v1/reservations/{id}", Access::User, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const Work work = [&ctx, user = call.user.sub, id = call.ids[0]] {
                  return render(ctx.app.reservations.get(user, id),
                                [](const domain::Reservation& r) { return reservation_view(200, r); });
                };
                co_return co_await on_pool(ctx, work);
              }});
  router.add(
      {"DELETE", "/api/v1/reservations/{id}", Access::User, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
         const Work work = [&ctx, user = call.user.sub, id = call.ids[0], trace = call.trace] {
           const platform::ScopedTrace traced(trace);
           return render(ctx.app.reservations.cancel(user, id),
                         [](const domain::Reservation& r) { return reservation_view(200, r); });
         };
         co_return co_await on_pool(ctx, work);
       }});
}

}  // namespace concert::http
