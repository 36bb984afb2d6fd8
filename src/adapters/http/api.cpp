#include "adapters/http/api.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <random>

#include "adapters/http/problem.hpp"
#include "adapters/http/respond.hpp"
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
  for (const auto* route : router_.routes()) route_metrics_[route] = metrics_for(route->method, route->pattern);
  route_metrics_[nullptr] = metrics_for("ANY", "unmatched");
  transport_metrics_ = metrics_for("ANY", "transport");
}

Api::RouteMetrics Api::metrics_for(const std::string& method, const std::string& route) {
  RouteMetrics m;
  const platform::Labels base{{"method", method}, {"route", route}};
  m.latency = &ctx_.metrics.histogram("concertd_http_request_duration_seconds", "HTTP request latency by route", base,
                                      platform::default_latency_buckets());
  for (int c = 0; c < 5; ++c) {
    auto labels = base;
    labels.push_back({"code", std::to_string(c + 1) + "xx"});
    m.by_class[c] =
        &ctx_.metrics.counter("concertd_http_requests_total", "HTTP requests by route and status class", labels);
  }
  return m;
}

boost::asio::awaitable<Response> Api::dispatch(const Request& request, const RouteMatch& match,
                                               const platform::TraceContext& trace) {
  if (!match.route) {
    if (match.allowed.empty()) co_return problem(404, "not-found", "no such endpoint: " + request.path());
    auto refused = problem(405, "method-not-allowed", request.method + " is not allowed here; use " + match.allowed);
    refused.headers["Allow"] = match.allowed;  // RFC 9110 §15.5.6
    co_return refused;
  }
  if (match.bad_id) co_return problem(400, "invalid-input", "ids in the path are positive integers");
  if (request.path().starts_with("/api/v1/")) {
    if (auto injected = co_await inject_fault()) co_return std::move(*injected);
  }
  Call call{request, match.ids, {}, &trace};
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
  if (match.limit) {
    if (auto refused = co_await over_limit(request, *match.limit, call.user.sub)) co_return std::move(*refused);
  }
  co_return co_await match.route->handler(call);
}

boost::asio::awaitable<std::optional<Response>> Api::inject_fault() {
  const auto& faults = ctx_.faults;
  if (faults.delay.count() > 0) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, faults.delay);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  if (faults.error_per_mille <= 0) co_return std::nullopt;
  thread_local std::minstd_rand draw{std::random_device{}()};
  if (static_cast<int>(draw() % 1000) >= faults.error_per_mille) co_return std::nullopt;
  co_return problem(500, "injected-fault",
                    "the fault switch of this instance failed this request (fault_error_per_mille)");
}

boost::asio::awaitable<std::optional<Response>> Api::over_limit(const Request& request, app::LimitedAction action,
                                                                const std::string& user) {
  if (!ctx_.limits) co_return std::nullopt;
  boost::system::error_code ec;
  const auto peer = boost::asio::ip::make_address(request.remote_address, ec);
  if (ec) co_return std::nullopt;  // not from a socket (no address to count)
  const auto address =
      platform::limit_unit(platform::client_address(peer, request.header("X-Forwarded-For"), ctx_.trusted_proxies));
  // On the queue pool: the buckets may live in Redis.
  const auto check = [this, action, &user, &address] { return ctx_.limits->admit(action, user, address); };
  std::optional<app::LimitRefusal> refusal;
  try {
    refusal = co_await ctx_.queue_pool.run(check);
  } catch (const PoolSaturated&) {
    co_return at_capacity();
  }
  if (!refusal) co_return std::nullopt;
  auto response = problem(refusal->error);
  response.headers["Retry-After"] = std::to_string(refusal->retry_after.count());
  co_return response;
}

boost::asio::awaitable<Response> Api::handle(Request request) {
  const auto started = std::chrono::steady_clock::now();
  const auto match = router_.match(request.method, request.path());
  const auto trace = platform::trace_for_request(request.header("traceparent"));
  Response response;
  try {
    response = co_await dispatch(request, match, trace);
  } catch (const std::exception& e) {
    // A bug, not a dependency's error (those map to statuses in problem.cpp):
    // answered, logged with its route, and counted as a 5xx like any other answer.
    platform::log_json(spdlog::level::err, {{"msg", "unhandled error"},
                                            {"method", request.method},
                                            {"route", match.route ? match.route->pattern : "unmatched"},
                                            {"error", e.what()}});
    response = problem(500, "internal", "an internal error occurred");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto request_id = request.header("X-Request-Id").value_or("");
  if (!usable_request_id(request_id)) request_id = platform::new_request_id();
  response.headers["traceparent"] = platform::traceparent_of(trace);
  record(route_metrics_.at(match.route), request.method,
         match.route ? std::string_view(match.route->pattern) : "unmatched", request.remote_address, trace.trace_id,
         std::move(request_id), seconds, response);
  co_return response;
}

void Api::record_transport(const TransportAnswer& answer, Response& response) {
  const auto trace = platform::trace_for_request(std::nullopt);  // the request never got far enough to read its own
  response.headers["traceparent"] = platform::traceparent_of(trace);
  record(transport_metrics_, answer.method.empty() ? std::string_view("-") : answer.method, "transport", answer.remote,
         trace.trace_id, platform::new_request_id(), std::chrono::duration<double>(answer.took).count(), response);
}

void Api::record(const RouteMetrics& metrics, std::string_view method, std::string_view route, std::string_view remote,
                 std::string_view trace_id, std::string request_id, double seconds, Response& response) {
  metrics.latency->observe(seconds);
  metrics.by_class[std::clamp(response.status / 100, 1, 5) - 1]->inc();
  // No field needs escaping: the request id and trace id are checked, the method
  // is an HTTP token (the parser refuses quotes, controls and bytes above 0x7e),
  // the route is one of ours, and the remote is an address.
  std::string line = fmt::format(
      R"("msg":"request","requestId":"{}","method":"{}","route":"{}","status":{},"durationMs":{:.3f},"remote":"{}")",
      request_id, method, route, response.status, seconds * 1000.0, remote);
  if (!trace_id.empty()) fmt::format_to(std::back_inserter(line), R"(,"traceId":"{}")", trace_id);
  response.headers["X-Request-Id"] = std::move(request_id);
  platform::log_json_fields(response.status >= 500 ? spdlog::level::warn : spdlog::level::info, line);
}

}  // namespace concert::http
