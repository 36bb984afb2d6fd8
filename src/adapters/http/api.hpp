// Where every request goes: authenticate, route, run, then record the access log
// line and the per-route metrics. Start reading here to follow a request.
#pragma once


#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <unordered_map>

#include "adapters/http/router.hpp"
#include "adapters/http/routes.hpp"
#include "platform/token_verifier.hpp"

namespace concert::http {

class Api {
 public:
  Api(ApiContext ctx, std::string jwt_secret);

  boost::asio::awaitable<Response> handle(Request request);

 private:
  struct RouteMetrics {
    platform::Histogram* latency;
    platform::Counter* by_class[5];  // 1xx..5xx
  };
  boost::asio::awaitable<Response> dispatch(const Request& request, const RouteMatch& match);
  void add_metrics(const Route* route);

  ApiContext ctx_;
  platform::TokenVerifier tokens_;
  Router router_;
  // Per route (nullptr: unmatched); filled at construction, read-only after.
  std::unordered_map<const Route*, RouteMetrics> route_metrics_;
};

}  // namespace concert::http
