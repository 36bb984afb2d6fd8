// Runs a tick function every `interval` on its own thread until stopped. A tick
// that did a full batch runs again at once; a failing tick is logged and retried
// after the interval, so a database outage never kills a worker (SPEC I7).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace concert::app {

class PeriodicWorker {
 public:
  // tick returns true when it should run again immediately (more work waiting).
  PeriodicWorker(std::string name, std::chrono::milliseconds interval, std::function<bool()> tick);
  ~PeriodicWorker();
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  void stop();  // waits for the current tick to finish

 private:
  void run();

  std::string name_;
  std::chrono::milliseconds interval_;
  std::function<bool()> tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace concert::app
