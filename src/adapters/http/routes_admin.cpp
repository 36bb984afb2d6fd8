// POST /api/v1/admin/concerts, POST /api/v1/admin/concerts/{id}/schedules,
// PATCH /api/v1/admin/schedules/{id}/queue, GET /api/v1/admin/schedules/{id}/admissions
#include "adapters/http/json_input.hpp"
#include "adapters/http/respond.hpp"
#include "app/views.hpp"

namespace concert::http {

namespace {

using domain::ErrorCode;
using domain::fail;

domain::Result<domain::TimePoint> get_time(const nlohmann::json& obj, const char* field) {
  auto text = get_string(obj, field, 64);
  if (!text) return tl::unexpected(text.error());
  auto t = app::parse_rfc3339(*text);
  if (!t)
    return fail(ErrorCode::InvalidInput, std::string(field) + " must be an RFC 3339 time, e.g. 2026-12-24T19:00:00Z");
  return *t;
}

// Reads the queue fields present in `obj` over `q`; absent fields keep their value.
domain::Result<domain::QueueSettings> merge_queue(const nlohmann::json& obj, domain::QueueSettings q) {
  const std::pair<const char*, int*> fields[] = {{"admitPerSecond", &q.admit_per_second},
                                                 {"maxActive", &q.max_active},
                                                 {"activeTtlSeconds", &q.active_ttl_seconds},
                                                 {"waitingIdleTtlSeconds", &q.waiting_idle_ttl_seconds}};
  for (const auto& [name, target] : fields) {
    auto v = get_optional_int(obj, name, 1, 1'000'000);
    if (!v) return tl::unexpected(v.error());
    if (*v) *target = static_cast<int>(**v);
  }
  return q;
}

domain::Result<app::NewSchedule> parse_schedule(const nlohmann::json& body, const domain::QueueSettings& defaults) {
  app::NewSchedule s;
  auto starts = get_time(body, "startsAt");
  auto opens = get_time(body, "salesOpenAt");
  auto closes = get_time(body, "salesCloseAt");
  for (auto* t : {&starts, &opens, &closes}) {
    if (!*t) return tl::unexpected(t->error());
  }
  s.starts_at = *starts;
  s.sales_open_at = *opens;
  s.sales_close_at = *closes;
  auto sections = body.find("sections");
  if (sections == body.end() || !sections->is_array() || sections->empty() || sections->size() > 100) {
    return fail(ErrorCode::InvalidInput, "sections must be an array of 1..100 sections");
  }
  for (const auto& sec : *sections) {
    if (!sec.is_object()) return fail(ErrorCode::InvalidInput, "each section must be an object");
    auto name = get_string(sec, "name", 64);
    auto grade = get_string(sec, "grade", 32);
    auto price = get_int(sec, "price", 0, 100'000'000);
    auto rows = get_int(sec, "rows", 1, 1000);
    auto per_row = get_int(sec, "seatsPerRow", 1, 1000);
    if (!name) return tl::unexpected(name.error());
    if (!grade) return tl::unexpected(grade.error());
    if (!price) return tl::unexpected(price.error());
    if (!rows) return tl::unexpected(rows.error());
    if (!per_row) return tl::unexpected(per_row.error());
    s.sections.push_back({*name, *grade, *price, static_cast<int>(*rows), static_cast<int>(*per_row)});
  }
  if (auto q = body.find("queue"); q != body.end() && !q->is_null()) {
    if (!q->is_object()) return fail(ErrorCode::InvalidInput, "queue must be an object");
    auto merged = merge_queue(*q, defaults);
    if (!merged) return tl::unexpected(merged.error());
    s.queue = *merged;
  }
  auto max_seats = get_optional_int(body, "maxSeatsPerUser", 1, 10);
  if (!max_seats) return tl::unexpected(max_seats.error());
  if (*max_seats) s.max_seats_per_user = static_cast<int>(**max_seats);
  return s;
}

// `after` of GET .../admissions?after=SEQ: a non-negative integer, 0 when absent.
domain::Result<std::int64_t> after_cursor(const Request& request) {
  const auto target = request.target;
  const auto q = target.find('?');
  if (q == std::string::npos) return 0;
  const std::string query = target.substr(q + 1);
  if (query.rfind("after=", 0) != 0 || query.size() > 6 + 18 ||
      query.find_first_not_of("0123456789", 6) != std::string::npos || query.size() == 6) {
    return fail(ErrorCode::InvalidInput, "the only query parameter is after=<non-negative integer>");
  }
  return std::stoll(query.substr(6));
}

// A successful write changed the catalogue: this instance's cached reads go.
Response changed_catalogue(ApiContext& ctx, Response answer) {
  if (answer.status >= 200 && answer.status < 300) ctx.catalogue->invalidate();
  return answer;
}

}  // namespace

void add_admin_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/admin/concerts", Access::Admin, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto body = parse_object(call.request.body);
                if (!body) co_return problem(body.error());
                auto title = get_string(*body, "title", 200);
                if (!title) co_return problem(title.error());
                const Work work = [&ctx, title = *title] {
                  return changed_catalogue(
                      ctx, render(ctx.app.admin.create_concert(title),
                                  [](const domain::Concert& c) { return json_response(201, app::to_json(c)); }));
                };
                co_return co_await on_pool(ctx, work);
              }});
  router.add({"POST", "/api/v1/admin/concerts/{id}/schedules", Access::Admin,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                auto body = parse_object(call.request.body);
                if (!body) co_return problem(body.error());
                auto request = parse_schedule(*body, ctx.app.ctx.settings.default_queue);
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
                  auto q = merge_queue(body, schedule->queue);
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
                auto after = after_cursor(call.request);
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
