#include "adapters/http/api.hpp"

#include <chrono>

#include "adapters/http/problem.hpp"
#include "platform/logging.hpp"

namespace concert::http {

namespace {

// A client's request id is echoed back only if it is short and plain.
bool usable_request_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == std::string::npos;
}

}  // namespace

Api::Api(ApiContext ctx, std::string jwt_secret) : ctx_(std::move(ctx)), tokens_(std::move(jwt_secret)) {
  add_ops_routes(router_, ctx_);
  add_catalog_routes(router_, ctx_);
  add_queue_routes(router_, ctx_);
  add_reservation_routes(router_, ctx_);
  add_payment_routes(router_, ctx_);
  add_admin_routes(router_, ctx_);
  // Unknown paths share one label so a scanner cannot blow up metric cardinality.
  for (const auto* route : router_.routes()) add_metrics(route);
  add_metrics(nullptr);
}

void Api::add_metrics(const Route* route) {
  auto& m = route_metrics_[route];
  const platform::Labels base{{"method", route ? route->method : "ANY"}, {"route", route ? route->pattern : "unmatched"}};
  m.latency = &ctx_.metrics.histogram("concertd_http_request_duration_seconds", "HTTP request latency by route", base,
                                      platform::default_latency_buckets());
  for (int c = 0; c < 5; ++c) {
    auto labels = base;
    labels.push_back({"code", std::to_string(c + 1) + "xx"});
    m.by_class[c] = &ctx_.metrics.counter("concertd_http_requests_total", "HTTP requests by route and status class", labels);
  }
}

boost::asio::awaitable<Response> Api::dispatch(const Request& request, const RouteMatch& match) {
  if (!match.route) {
    if (match.allowed.empty()) co_return problem(404, "not-found", "no such endpoint: " + request.path());
    auto refused = problem(405, "method-not-allowed", request.method + " is not allowed here; use " + match.allowed);
    refused.headers["Allow"] = match.allowed;  // RFC 9110 §15.5.6
    co_return refused;
  }
  if (match.bad_id) co_return problem(400, "invalid-input", "ids in the path are positive integers");
  Call call{request, match.ids, {}};
  if (match.route->access != Access::Public) {
    const auto auth = request.header("Authorization").value_or("");
    if (auth.rfind("Bearer ", 0) != 0) {
      co_return unauthenticated("Bearer", "an Authorization: Bearer <JWT> header is required");  // RFC 6750 §3
    }
    auto claims = tokens_.verify(std::string_view(auth).substr(7), std::chrono::system_clock::now());
    if (!claims) co_return unauthenticated(R"(Bearer error="invalid_token")", claims.error().detail);
    if (match.route->access == Access::Admin && claims->role != "admin") {
      co_return problem(403, "forbidden", "this endpoint needs a token with role admin");
    }
    call.user = *claims;
  }
  co_return co_await match.route->handler(call);
}

boost::asio::awaitable<Response> Api::handle(Request request) {
  const auto started = std::chrono::steady_clock::now();
  auto request_id = request.header("X-Request-Id").value_or("");
  if (!usable_request_id(request_id)) request_id = platform::new_request_id();
  const auto match = router_.match(request.method, request.path());

  Response response = co_await dispatch(request, match);

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string_view route = match.route ? std::string_view(match.route->pattern) : "unmatched";
  auto& m = route_metrics_.at(match.route);
  m.latency->observe(seconds);
  m.by_class[std::clamp(response.status / 100, 1, 5) - 1]->inc();

  response.headers["X-Request-Id"] = request_id;
  // No field needs escaping: the request id and trace id are checked above, the
  // method is an HTTP token (the parser refuses quotes and controls), the route
  // is one of ours, and the remote is an address.
  std::string line = fmt::format(
      R"("msg":"request","requestId":"{}","method":"{}","route":"{}","status":{},"durationMs":{:.3f},"remote":"{}")",
      request_id, request.method, route, response.status, seconds * 1000.0, request.remote_address);
  if (auto tp = request.header("traceparent")) {
    if (auto trace = platform::trace_id_from_traceparent(*tp)) fmt::format_to(std::back_inserter(line), R"(,"traceId":"{}")", *trace);
  }
  platform::log_json_fields(response.status >= 500 ? spdlog::level::warn : spdlog::level::info, line);
  co_return response;
}

}  // namespace concert::http
