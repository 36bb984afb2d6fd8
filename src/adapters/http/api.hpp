// Where every request goes: authenticate, route, run, then record the access log
// line and the per-route metrics. Start reading here to follow a request.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "adapters/http/router.hpp"
#include "adapters/http/routes.hpp"
#include "adapters/http/server.hpp"
#include "platform/token_verifier.hpp"
#include "platform/trace_context.hpp"

namespace concert::http {

class Api {
 public:
  Api(ApiContext ctx, std::string jwt_secret);

  boost::asio::awaitable<Response> handle(Request request);
  // The transport's own answers (http::TransportObserver): logged and counted
  // under route "transport", with a request id like every other answer.
  void record_transport(const TransportAnswer& answer, Response& response);

 private:
  struct RouteMetrics {
    platform::Histogram* latency;
    platform::Counter* by_class[5];  // 1xx..5xx
  };
  boost::asio::awaitable<Response> dispatch(const Request& request, const RouteMatch& match,
                                            const platform::TraceContext& trace);
  // The fault switch's answer for this request, after its delay; nullopt: serve it.
  boost::asio::awaitable<std::optional<Response>> inject_fault();
  // A 429 when the caller is over an abuse limit of the route's action.
  boost::asio::awaitable<std::optional<Response>> over_limit(const Request& request, app::LimitedAction action,
                                                             const std::string& user);
  RouteMetrics metrics_for(const std::string& method, const std::string& route);
  void record(const RouteMetrics& metrics, std::string_view method, std::string_view route, std::string_view remote,
              std::string_view trace_id, std::string request_id, double seconds, Response& response);

  ApiContext ctx_;
  platform::TokenVerifier tokens_;
  Router router_;
  // Per route (nullptr: unmatched); filled at construction, read-only after.
  std::unordered_map<const Route*, RouteMetrics> route_metrics_;
  RouteMetrics transport_metrics_;
};

}  // namespace concert::http
