#include "bench/holdpay/watchdog.hpp"

#include <cstdio>
#include <cstdlib>

namespace concert::bench::holdpay {

Watchdog::Watchdog(std::chrono::steady_clock::time_point give_up_at)
    : thread_([this, give_up_at] {
        std::unique_lock lock(mutex_);
        if (done_.wait_until(lock, give_up_at, [this] { return finished_; })) return;
        std::fputs("concert-holdpay: still running well past --timeout-seconds; giving up\n", stderr);
        std::fflush(stdout);
        std::_Exit(3);
      }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  done_.notify_one();
  thread_.join();
}

}  // namespace concert::bench::holdpay
