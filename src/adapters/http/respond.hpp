// Small helpers shared by the route files: JSON answers, running a use case on
// the blocking pool, and the Idempotency-Key wrapper.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "adapters/http/problem.hpp"
#include "adapters/http/routes.hpp"

namespace concert::http {

Response json_response(int status, const nlohmann::json& body);

template <typename T, typename Render>
Response render(const domain::Result<T>& result, Render&& ok) {
  if (!result) return problem(result.error());
  return ok(*result);
}

using Work = std::function<Response()>;

// Runs `work` on the blocking pool. Route coroutines keep `work` in a named local
// and pass it by reference (see BlockingPool::run for why).
boost::asio::awaitable<Response> on_pool(ApiContext& ctx, const Work& work);

// Runs `work` under the request's Idempotency-Key (required), replaying a stored
// answer with `Idempotent-Replayed: true` when the key was seen with this body.
boost::asio::awaitable<Response> idempotent(ApiContext& ctx, Call& call, const char* scope, const Work& work);

}  // namespace concert::http
