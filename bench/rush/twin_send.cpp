#include "bench/rush/twin_send.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

namespace concert::bench::rush {

namespace asio = boost::asio;

namespace {

struct TwinState {
  explicit TwinState(const asio::any_io_executor& ex) : done(ex, std::chrono::steady_clock::time_point::max()) {}
  std::optional<Answer> answer;
  asio::steady_timer done;
};

}  // namespace

asio::awaitable<TwinAnswers> send_twice(HostPool& a, HostPool& b, const Request& request, const std::string& user,
                                        HistoryRecorder* history) {
  auto ex = co_await asio::this_coro::executor;
  auto state = std::make_shared<TwinState>(ex);
  // `request` and `user` outlive the twin: this frame waits for it below before returning.
  asio::co_spawn(ex, send_recorded(b, request, user, history), [state](std::exception_ptr error, Answer answer) {
    if (error) answer.failure = Failure::Io;
    state->answer = std::move(answer);
    state->done.cancel();
  });
  TwinAnswers both;
  both.first = co_await send_recorded(a, request, user, history);
  // Bounded: the twin's send ends by its own timeout at the latest.
  while (!state->answer) {
    boost::system::error_code ec;
    co_await state->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  both.second = std::move(*state->answer);
  co_return both;
}

}  // namespace concert::bench::rush
