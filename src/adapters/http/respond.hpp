// Small helpers shared by the route files: JSON answers, running a use case on
// the blocking pool, and the Idempotency-Key wrapper.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "adapters/http/problem.hpp"
#include "adapters/http/routes.hpp"
#include "app/idempotency.hpp"

namespace concert::http {

Response json_response(int status, const nlohmann::json& body);

template <typename T, typename Render>
Response render(const domain::Result<T>& result, Render&& ok) {
  if (!result) return problem(result.error());
  return ok(*result);
}

using Work = std::function<Response()>;

// The 503 for work a full (or too slow) pool refused: PoolSaturated.
Response at_capacity();

// Runs `work` on a blocking pool (the database pool unless told). Route coroutines
// keep `work` in a named local and pass it by reference (see BlockingPool::run for why).
boost::asio::awaitable<Response> on_pool(ApiContext& ctx, const Work& work);
boost::asio::awaitable<Response> on_pool(BlockingPool& pool, const Work& work);

// The request an Idempotency-Key covers: same method, path and body.
std::string request_fingerprint(const Request& request);
// A stored answer sent again, marked `Idempotent-Replayed: true`.
Response replayed(const app::StoredResponse& stored);

template <typename T>
using KeyedUseCase = std::function<domain::Result<T>(app::Keyed<T>&)>;
template <typename T>
using View = std::function<Response(const T&)>;

// Runs a use case under the request's Idempotency-Key (required), on `pool`.
// The use case claims the key and stores its answer inside its own
// transactions (app::Keyed); a replay gets the stored answer.
template <typename T>
boost::asio::awaitable<Response> idempotent(ApiContext& ctx, BlockingPool& pool, Call& call, const char* scope,
                                            const KeyedUseCase<T>& use_case, const View<T>& view) {
  auto key = call.request.header("Idempotency-Key");
  if (!key) co_return problem(400, "invalid-input", "an Idempotency-Key header is required");
  if (auto valid = app::validate_idempotency_key(*key); !valid) co_return problem(valid.error());
  const Work work = [&] {
    const platform::ScopedTrace traced(call.trace);  // its events and gateway calls carry the request's trace
    const auto store = [&view](const domain::Result<T>& result) {
      auto response = render(result, view);
      return app::StoredResponse{response.status, std::move(response.body)};
    };
    app::Keyed<T> keyed(ctx.app.idempotency, {call.user.sub, scope, *key}, request_fingerprint(call.request), store);
    auto answer = keyed.answer(use_case(keyed));
    if (answer.replay) return replayed(*answer.replay);
    return render(answer.result, view);
  };
  co_return co_await on_pool(pool, work);
}

}  // namespace concert::http
