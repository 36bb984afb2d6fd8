#include "app/worker_loop.hpp"

#include <spdlog/spdlog.h>

namespace concert::app {

PeriodicWorker::PeriodicWorker(std::string name, std::chrono::milliseconds interval, std::function<bool()> tick)
    : name_(std::move(name)), interval_(interval), tick_(std::move(tick)), thread_([this] { run(); }) {}

PeriodicWorker::~PeriodicWorker() { stop(); }

void PeriodicWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicWorker::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    bool again = false;
    try {
      again = tick_();
    } catch (const std::exception& e) {
      spdlog::warn("worker {} tick failed: {}", name_, e.what());
    }
    lock.lock();
    if (!again) wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace concert::app
