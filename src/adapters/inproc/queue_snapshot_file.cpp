#include "adapters/inproc/queue_snapshot_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "platform/logging.hpp"

namespace concert::adapters::inproc {

namespace {

// Writes `text` to `path` so that a crash at any moment leaves either the old
// file or the new one whole.
void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error("cannot write " + tmp + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot replace " + path + ": " + std::strerror(errno));
  }
}

}  // namespace

QueueSnapshotFile::QueueSnapshotFile(InprocQueueStore& store, std::string path, std::chrono::milliseconds every)
    : store_(store), path_(std::move(path)), every_(every) {
  std::ifstream in(path_, std::ios::binary);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    try {
      store_.restore(nlohmann::json::parse(text.str()));
      loaded_ = true;
    } catch (const nlohmann::json::exception& e) {
      const auto aside = path_ + ".unreadable";
      std::error_code ignored;
      std::filesystem::rename(path_, aside, ignored);
      platform::log_json(
          spdlog::level::err,
          {{"msg", "the queue snapshot cannot be read; the queue starts empty"}, {"file", aside}, {"error", e.what()}});
    }
  }
  written_version_ = store_.version();
  writer_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

QueueSnapshotFile::~QueueSnapshotFile() {
  writer_.request_stop();
  writer_.join();
  try {
    write_now();
  } catch (const std::exception& e) {
    platform::log_json(spdlog::level::err, {{"msg", "the queue snapshot was not written"}, {"error", e.what()}});
  }
}

void QueueSnapshotFile::write_now() {
  std::lock_guard lock(write_mutex_);
  const auto version = store_.version();
  if (version == written_version_) return;
  write_atomically(path_, store_.snapshot().dump());
  written_version_ = version;
}

void QueueSnapshotFile::run(std::stop_token stop) {
  std::unique_lock lock(wait_mutex_);
  while (!stop.stop_requested()) {
    wake_.wait_for(lock, stop, every_, [] { return false; });
    if (stop.stop_requested()) break;
    lock.unlock();
    try {
      write_now();
    } catch (const std::exception& e) {
      platform::log_json(spdlog::level::warn, {{"msg", "queue snapshot not written; retrying"}, {"error", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace concert::adapters::inproc
