// A bounded pool of threads for blocking work (database calls), so the IO
// threads never block. The caller's coroutine suspends while the work runs and
// resumes on its own executor. Beyond `queue_limit` queued or running tasks,
// run() fails at once with PoolSaturated (the request gets a 503), and a task
// that no thread has taken within `queue_timeout` fails with it at that moment
// and never runs: its client should not wait longer (a refusal that comes late
// costs the client the wait and the answer), and the work behind a stalled
// database would only stall too. A task a thread has taken runs to its end.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "platform/work_deadline.hpp"

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
  //
  // The caller's executor must be single-threaded (each connection's
  // io_context is): the task's hand-back and the caller's timer share it.
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
    const auto caller = co_await boost::asio::this_coro::executor;
    auto task = std::make_shared<Task<T>>(caller, queue_timeout_);
    const auto start_by = std::chrono::steady_clock::now() + queue_timeout_;
    // Only a thread that takes the task from Queued to Running touches `f`; the
    // caller takes it to Abandoned instead when the timer fires first, and may
    // then return (and `f` go away) while the task still sits in the queue.
    boost::asio::post(pool_, [task, &f, caller, start_by] {
      auto queued = Phase::Queued;
      if (!task->phase.compare_exchange_strong(queued, Phase::Running)) return;
      // The queue's time counts against the wait for the work's first database
      // connection too (a refusal then, not after another wait).
      platform::WorkDeadline::Scope deadline(start_by);
      try {
        if constexpr (std::is_void_v<T>) {
          f();
          task->value.emplace();
        } else {
          task->value.emplace(f());
        }
      } catch (...) {
        task->error = std::current_exception();
      }
      // Back on the caller's executor: the timer is its, and posting orders the
      // result before its read there.
      boost::asio::post(caller, [task] {
        task->done = true;
        task->timer.cancel();
      });
    });
    while (!task->done) {
      boost::system::error_code expired;
      co_await task->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, expired));
      if (task->done || expired) continue;  // the hand-back cancelled the wait
      auto queued = Phase::Queued;
      if (task->phase.compare_exchange_strong(queued, Phase::Abandoned)) {
        throw PoolSaturated("the work waited too long for a database thread");
      }
      task->timer.expires_at(std::chrono::steady_clock::time_point::max());  // running: wait for its end
    }
    if (task->error) std::rethrow_exception(task->error);
    if constexpr (!std::is_void_v<T>) co_return std::move(*task->value);
  }

  // Waits until every task handed to the pool has run to its end (one refused
  // in the queue, until a thread skips it), so none still holds a timer of its
  // caller's executor. Call once no caller is left, before destroying the
  // executors the callers ran on.
  void finish() { pool_.join(); }

  void stop() {
    pool_.stop();
    pool_.join();
  }

 private:
  enum class Phase { Queued, Running, Abandoned };

  template <typename T>
  struct Task {
    Task(const boost::asio::any_io_executor& caller, std::chrono::milliseconds queue_timeout)
        : timer(caller, queue_timeout) {}
    std::atomic<Phase> phase{Phase::Queued};
    boost::asio::steady_timer timer;  // the caller's; fires when the task waited queue_timeout
    bool done = false;                // set on the caller's executor
    std::optional<std::conditional_t<std::is_void_v<T>, std::monostate, T>> value;
    std::exception_ptr error;
  };

  boost::asio::thread_pool pool_;
  std::size_t limit_;
  std::chrono::milliseconds queue_timeout_;
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace concert::http
