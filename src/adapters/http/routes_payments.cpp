// POST /api/v1/payments, GET /api/v1/payments/{id}, POST /api/v1/payments/{id}/refund
#include "adapters/http/json_input.hpp"
#include "adapters/http/respond.hpp"
#include "app/views.hpp"

namespace concert::http {

namespace {

Response payment_view(int status, const app::PaymentView& v) {
  auto body = app::to_json(v.payment);
  body["reservation"] = app::to_json(v.reservation);
  return json_response(status, body);
}

}  // namespace

void add_payment_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/payments", Access::User, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto body = parse_object(call.request.body);
                if (!body) co_return problem(body.error());
                auto reservation_id = get_int(*body, "reservationId", 1, INT64_MAX);
                if (!reservation_id) co_return problem(reservation_id.error());
                const app::PayRequest request{call.user.sub, *reservation_id,
                                              call.request.header("Idempotency-Key").value_or("")};
                const KeyedUseCase<app::PaymentView> pay = [&ctx, &request](auto& key) {
                  return ctx.app.payments.pay(request, &key);
                };
                const View<app::PaymentView> view = [](const auto& v) { return payment_view(201, v); };
                co_return co_await idempotent(ctx, call, "payments", pay, view);
              }});
  router.add({"GET", "/api/v1/payments/{id}", Access::User, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const Work work = [&ctx, user = call.user.sub, id = call.ids[0]] {
                  return render(ctx.app.payments.get(user, id),
                                [](const domain::Payment& p) { return json_response(200, app::to_json(p)); });
                };
                co_return co_await on_pool(ctx, work);
              }});
  router.add({"POST", "/api/v1/payments/{id}/refund", Access::User,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const KeyedUseCase<app::PaymentView> refund = [&ctx, &call](auto& key) {
                  return ctx.app.payments.refund(call.user.sub, call.ids[0], &key);
                };
                const View<app::PaymentView> view = [](const auto& v) { return payment_view(200, v); };
                co_return co_await idempotent(ctx, call, "refunds", refund, view);
              }});
}

}  // namespace concert::http
