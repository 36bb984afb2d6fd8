#include "adapters/sink/jsonl_sink.hpp"

#include "adapters/sink/event_json.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace concert::adapters::sink {

JsonlSink::JsonlSink(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open event sink " + path_ + ": " + std::strerror(errno));
}

JsonlSink::~JsonlSink() {
  if (fd_ >= 0) ::close(fd_);
}

void JsonlSink::publish(std::span<const domain::OutboxEvent> events) {
  std::string batch;
  for (const auto& e : events) {
    batch += event_json(e).dump();
    batch += '\n';
  }
  std::lock_guard lock(mutex_);
  std::size_t written = 0;
  while (written < batch.size()) {
    ssize_t n = ::write(fd_, batch.data() + written, batch.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("event sink write failed: " + std::string(std::strerror(errno)));
    written += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) throw std::runtime_error("event sink fsync failed: " + std::string(std::strerror(errno)));
}

}  // namespace concert::adapters::sink
