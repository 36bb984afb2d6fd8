// GET /api/v1/concerts, /concerts/{id}, /concerts/{id}/schedules, /schedules/{id}/seats
#include "adapters/http/respond.hpp"
#include "app/views.hpp"

namespace concert::http {

namespace {

// A catalogue answer from ctx.catalogue, on the IO thread; only a miss renders
// it from the database, on the pool, and when that cannot be done now (503) the
// last answer kept is better than none.
boost::asio::awaitable<Response> cached(ApiContext& ctx, const Call& call, const Work& render_answer) {
  const auto key = call.request.path();
  if (auto hit = ctx.catalogue->get(key)) co_return std::move(*hit);
  const Work work = [&ctx, &key, &render_answer] {
    const auto generation = ctx.catalogue->generation();
    return ctx.catalogue->put(key, generation, render_answer());
  };
  auto answer = co_await on_pool(ctx, work);
  if (answer.status == 503) {
    if (auto kept = ctx.catalogue->stale(key)) co_return std::move(*kept);
  }
  co_return answer;
}

}  // namespace

void add_catalog_routes(Router& router, ApiContext& ctx) {
  router.add({"GET", "/api/v1/concerts", Access::Public, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const Work work = [&ctx] {
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& c : ctx.app.catalog.concerts()) items.push_back(app::to_json(c));
                  return json_response(200, {{"items", items}});
                };
                co_return co_await cached(ctx, call, work);
              }});
  router.add({"GET", "/api/v1/concerts/{id}", Access::Public, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const Work work = [&ctx, id = call.ids[0]] {
                  return render(ctx.app.catalog.concert(id),
                                [](const domain::Concert& c) { return json_response(200, app::to_json(c)); });
                };
                co_return co_await cached(ctx, call, work);
              }});
  router.add({"GET", "/api/v1/concerts/{id}/schedules", Access::Public,
              [&ctx](Call& call) -> boost::asio::awaitable<Response> {
                const Work work = [&ctx, id = call.ids[0]] {
                  return render(ctx.app.catalog.schedules(id), [](const std::vector<domain::Schedule>& list) {
                    nlohmann::json items = nlohmann::json::array();
                    for (const auto& s : list) items.push_back(app::to_json(s));
                    return json_response(200, {{"items", items}});
                  });
                };
                co_return co_await cached(ctx, call, work);
              }});
  router.add(
      {"GET", "/api/v1/schedules/{id}/seats", Access::Public, [&ctx](Call& call) -> boost::asio::awaitable<Response> {
         const auto id = call.ids[0];
         const auto if_none_match = call.request.header("If-None-Match");
         auto serve = [if_none_match](const ports::SeatMapPtr& map) {
           Response r;
           r.headers["ETag"] = map->etag;
           r.headers["Cache-Control"] = "no-cache";
           if (if_none_match && *if_none_match == map->etag) {
             r.status = 304;
             r.content_type.clear();
             return r;
           }
           r.shared_body = std::shared_ptr<const std::string>(map, &map->body);
           return r;
         };
         // A cached map is served on the IO thread; only a miss goes to the database.
         if (auto cached = ctx.app.ctx.seat_maps.get(id)) co_return serve(cached);
         const Work work = [&ctx, id, serve] { return render(ctx.app.catalog.seat_map(id), serve); };
         co_return co_await on_pool(ctx, work);
       }});
}

}  // namespace concert::http
