// POST /api/v1/admin/concerts, POST /api/v1/admin/concerts/{id}/schedules,
// PATCH /api/v1/admin/schedules/{id}/queue, GET /api/v1/admin/schedules/{id}/admissions
#include "adapters/http/json_input.hpp"
#include "adapters/http/request_bodies.hpp"
#include "adapters/http/respond.hpp"
#include "app/views.hpp"

namespace concert::http {

namespace {

// A successful write changed the catalogue: this instance's cached reads go.
Response changed_catalogue(ApiContext& ctx, Response answer) {
  if (answer.status >= 200 && answer.status < 300) ctx.catalogue->invalidate();
  return answer;
}

}  // namespace

void add_admin_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/admin/concerts", Access::Admin, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto body = read_concert_body(call.request.body);
                if (!body) co_return problem(body.error());
                const Work work = [&ctx, title = body->title] {
                  return changed_catalogue(
                      ctx, render(ctx.app.admin.create_concert(title),
                                  [](const domain::Concert& c) { return json_response(201, app::to_json(c)); }));
                };
                co_return co_await on_pool(ctx, work);
              }});
  router.add({"POST", "/api/v1/admin/concerts/{id}/schedules", Access::Admin,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto request = read_schedule_body(call.request.body, ctx.app.ctx.settings.default_queue);
                if (!request) co_return problem(request.error());
                const Work work = [&ctx, id = call.ids[0], request = *request] {
                  return changed_catalogue(
                      ctx, render(ctx.app.admin.create_schedule(id, request),
                                  [](const domain::Schedule& s) { return json_response(201, app::to_json(s)); }));
                };
                co_return co_await on_pool(ctx, work);
              }});
  router.add({"PATCH", "/api/v1/admin/schedules/{id}/queue", Access::Admin,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto body = parse_object(call.request.body);
                if (!body) co_return problem(body.error());
                const Work work = [&ctx, id = call.ids[0], body = *body] {
                  auto schedule = ctx.app.schedules.find(id);
                  if (!schedule) return problem(404, "not-found", "no schedule " + std::to_string(id));
                  auto q = read_queue_patch(body, schedule->queue);
                  if (!q) return problem(q.error());
                  return changed_catalogue(ctx, render(ctx.app.admin.tune_queue(id, *q), [](const domain::Schedule& s) {
                                             return json_response(200, app::to_json(s));
                                           }));
                };
                co_return co_await on_pool(ctx, work);
              }});
  // The admission log, for audits of FIFO order and the admission rate (SPEC I5).
  router.add({"GET", "/api/v1/admin/schedules/{id}/admissions", Access::Admin,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto after = read_after_cursor(call.request.target);
                if (!after) co_return problem(after.error());
                const Work work = [&ctx, id = call.ids[0], after = *after] {
                  constexpr int kPage = 10'000;
                  return render(
                      ctx.app.admin.admissions(id, after, kPage), [after](const std::vector<ports::Admission>& page) {
                        nlohmann::json items = nlohmann::json::array();
                        for (const auto& a : page) items.push_back(app::to_json(a));
                        return json_response(200, {{"items", items}, {"next", page.empty() ? after : page.back().seq}});
                      });
                };
                co_return co_await on_pool(ctx, work);
              }});
}

}  // namespace concert::http
