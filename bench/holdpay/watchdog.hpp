// The last line of defence of "the tool stops by itself": every wait of a run is
// bounded already (request and statement timeouts, the run's deadline), but if a
// run is still going at `give_up_at` anyway, the process ends with status 3
// rather than hang a script.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace concert::bench::holdpay {

class Watchdog {
 public:
  explicit Watchdog(std::chrono::steady_clock::time_point give_up_at);
  ~Watchdog();  // the run ended in time: stands down
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace concert::bench::holdpay
