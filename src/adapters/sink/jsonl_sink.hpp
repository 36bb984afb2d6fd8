// The embedded event sink: an append-only JSON-lines file, fsynced per batch so a
// batch is durable before the relay marks its rows published.
#pragma once

#include <mutex>
#include <string>

#include "ports/event_sink.hpp"

namespace concert::adapters::sink {

class JsonlSink final : public ports::EventSink {
 public:
  explicit JsonlSink(std::string path);
  ~JsonlSink() override;
  JsonlSink(const JsonlSink&) = delete;
  JsonlSink& operator=(const JsonlSink&) = delete;

  void publish(std::span<const domain::OutboxEvent> events) override;

 private:
  std::mutex mutex_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace concert::adapters::sink
