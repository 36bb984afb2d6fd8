// POST /api/v1/payments, GET /api/v1/payments/{id}, POST /api/v1/payments/{id}/refund,
// POST /api/v1/webhooks/pg (the gateway's callback)
#include "adapters/http/request_bodies.hpp"
#include "adapters/http/respond.hpp"
#include "app/views.hpp"
#include "platform/webhook_signature.hpp"

namespace concert::http {

namespace {

Response payment_view(int status, const app::PaymentView& v) {
  auto body = app::to_json(v.payment);
  body["reservation"] = app::to_json(v.reservation);
  return json_response(status, body);
}

}  // namespace

void add_payment_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/payments", Access::User,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto body = read_payment_body(call.request.body);
                if (!body) co_return problem(body.error());
                const app::PayRequest request{call.user.sub, body->reservation_id,
                                              call.request.header("Idempotency-Key").value_or("")};
                const KeyedUseCase<app::PaymentView> pay = [&ctx, &request](auto& key) {
                  return ctx.app.payments.pay(request, &key);
                };
                const View<app::PaymentView> view = [](const auto& v) { return payment_view(201, v); };
                co_return co_await idempotent(ctx, ctx.payments_pool, call, "payments", pay, view);
              }},
             app::LimitedAction::Write);
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
                co_return co_await idempotent(ctx, ctx.payments_pool, call, "refunds", refund, view);
              }},
             app::LimitedAction::Write);
  // Signed with the webhook secret shared with the gateway, not a user's JWT; a
  // re-sent report is recognised by its gateway tx id and changes nothing.
  router.add({"POST", "/api/v1/webhooks/pg", Access::Public, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const auto signature = call.request.header("PG-Signature").value_or("");
                if (auto ok = platform::verify_webhook(ctx.pg_webhook_secret, signature, call.request.body,
                                                       std::chrono::system_clock::now());
                    !ok) {
                  co_return unauthenticated("PG-Signature", ok.error().detail);
                }
                auto report = read_pg_report(call.request.body);
                if (!report) co_return problem(report.error());
                // On the payments pool: a late approval's void asks the gateway for a refund.
                const Work work = [&ctx, report = *report, trace = call.trace] {
                  const platform::ScopedTrace traced(trace);
                  return render(ctx.app.payments.apply_gateway_report(report),
                                [](const app::PaymentView& v) { return payment_view(200, v); });
                };
                co_return co_await on_pool(ctx.payments_pool, work);
              }});
}

}  // namespace concert::http
