// A bounded pool of threads for blocking work (database calls), so the IO
// threads never block. The caller's coroutine suspends while the work runs and
// resumes on its own executor. Beyond `queue_limit` queued or running tasks,
// run() fails at once with PoolSaturated (the request gets a 503), and a task
// that waited longer than `queue_timeout` for a thread fails with it instead of
// running: its client should not wait longer, and the work behind a stalled
// database would only stall too.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <stdexcept>
#include <type_traits>

namespace concert::http {

struct PoolSaturated : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class BlockingPool {
 public:
  BlockingPool(int threads, std::size_t queue_limit, std::chrono::milliseconds queue_timeout = std::chrono::hours(24))
      : pool_(static_cast<std::size_t>(threads)), limit_(queue_limit), queue_timeout_(queue_timeout) {}
  ~BlockingPool() { stop(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // `f` is taken by reference and must outlive the co_await: g++ 12 mishandles
  // temporaries with destructors inside co_await expressions (double
  // destruction), so callers keep their work in a named local.
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F& f) {
    using T = std::invoke_result_t<F&>;
    if (in_flight_.fetch_add(1) >= limit_) {
      in_flight_.fetch_sub(1);
      throw PoolSaturated("the database work queue is full");
    }
    struct Release {
      std::atomic<std::size_t>& n;
      ~Release() { n.fetch_sub(1); }
    } release{in_flight_};
    // co_spawn on the pool runs f there; awaiting it resumes us on our executor.
    const auto queued = std::chrono::steady_clock::now();
    co_return co_await boost::asio::co_spawn(
        pool_.get_executor(),
        [&f, queued, timeout = queue_timeout_]() -> boost::asio::awaitable<T> {
          if (std::chrono::steady_clock::now() - queued > timeout) {
            throw PoolSaturated("the work waited too long for a database thread");
          }
          co_return f();
        },
        boost::asio::use_awaitable);
  }

  // Waits until every task handed to the pool has run to its end, including the
  // hand-back to its caller's executor (which it holds until then). Call once no
  // caller is left, before destroying the executors the callers ran on.
  void finish() { pool_.join(); }

  void stop() {
    pool_.stop();
    pool_.join();
  }

 private:
  boost::asio::thread_pool pool_;
  std::size_t limit_;
  std::chrono::milliseconds queue_timeout_;
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace concert::http
