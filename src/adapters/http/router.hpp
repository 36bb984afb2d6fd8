// Method + path pattern -> handler. Patterns are literal segments and `{id}`
// segments, which must be positive integers (else 400). The pattern string is
// also the route's label in metrics and logs.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/message.hpp"
#include "app/abuse_limits.hpp"
#include "platform/jwt.hpp"
#include "platform/trace_context.hpp"

namespace concert::http {

enum class Access { Public, User, Admin };

struct Call {
  const Request& request;
  std::vector<std::int64_t> ids;                  // the {id} segments, in order
  platform::Claims user;                          // empty sub for public routes
  const platform::TraceContext* trace = nullptr;  // the request's (SPEC §6); pool work runs under it
};

using RouteHandler = std::function<boost::asio::awaitable<Response>(Call&)>;

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::Public;
  RouteHandler handler;
};

struct RouteMatch {
  const Route* route = nullptr;  // null: no route for this path (404) or method (405)
  std::string allowed;           // the path's methods ("GET, DELETE"), for a 405's Allow header
  bool bad_id = false;           // an {id} segment was not a positive integer
  std::vector<std::int64_t> ids;
  std::optional<app::LimitedAction> limit;  // the route counts against this action's abuse limits
};

class Router {
 public:
  // `limit`: the route's requests count against the abuse limits of that action.
  void add(Route route, std::optional<app::LimitedAction> limit = std::nullopt);
  RouteMatch match(const std::string& method, const std::string& path) const;
  std::vector<const Route*> routes() const;  // stable once every route is added

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;
    std::optional<app::LimitedAction> limit;
  };
  std::vector<Compiled> routes_;
};

}  // namespace concert::http
