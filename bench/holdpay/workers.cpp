#include "bench/holdpay/workers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>

namespace concert::bench::holdpay {

namespace asio = boost::asio;

void run_workers(asio::io_context& ioc, int count, const std::function<asio::awaitable<void>()>& worker,
                 std::chrono::steady_clock::time_point deadline, const std::function<void()>& stop) {
  int live = count;
  bool stopped = false;
  std::exception_ptr first_error;
  const auto stop_once = [&] {
    if (stopped) return;
    stopped = true;
    stop();
  };
  asio::steady_timer timer(ioc, deadline);
  timer.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) stop_once();  // cancelled instead: every worker finished in time
  });
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(ioc, worker(), [&](std::exception_ptr error) {
      if (error && !first_error) {
        first_error = error;
        stop_once();
      }
      if (--live == 0) timer.cancel();
    });
  }
  ioc.restart();
  ioc.run();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace concert::bench::holdpay
