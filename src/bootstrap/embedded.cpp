#include "bootstrap/embedded.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "adapters/inproc/lease.hpp"
#include "adapters/inproc/queue_snapshot_file.hpp"
#include "adapters/inproc/queue_store.hpp"
#include "adapters/inproc/rate_limiter.hpp"
#include "adapters/inproc/seat_lock.hpp"
#include "adapters/inproc/seat_map_cache.hpp"
#include "adapters/inproc/system_clock.hpp"
#include "adapters/sink/jsonl_sink.hpp"
#include "adapters/sqlite/sqlite_store.hpp"
#include "bootstrap/gateway.hpp"

namespace concert::bootstrap {

namespace {

// flock() on <data_dir>/concertd.lock, held for the life of the process; the
// kernel drops it if the process dies, so a kill -9 never leaves a stale lock.
domain::Result<std::shared_ptr<void>> lock_data_dir(const std::string& data_dir) {
  const std::string path = data_dir + "/concertd.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return domain::fail(domain::ErrorCode::Unavailable, "cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return domain::fail(domain::ErrorCode::Unavailable,
                        "another concertd is already running on data dir " + data_dir + " (lock " + path + ")");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::write(fd, pid.data(), pid.size());
  return std::shared_ptr<void>(new int(fd), [](void* p) {
    int* fd_ptr = static_cast<int*>(p);
    ::close(*fd_ptr);
    delete fd_ptr;
  });
}

}  // namespace

std::string embedded_database_path(const platform::Config& config) { return config.data_dir + "/concertd.db"; }

domain::Result<AdapterSet> open_embedded(const platform::Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    return domain::fail(domain::ErrorCode::Unavailable,
                        "cannot create data dir " + config.data_dir + ": " + ec.message());
  auto guard = lock_data_dir(config.data_dir);
  if (!guard) return tl::unexpected(guard.error());

  AdapterSet set;
  set.instance_guard = *guard;
  set.clock = std::make_unique<adapters::inproc::SystemClock>();
  try {
    set.store = adapters::sqlite::open_sqlite_store(
        {embedded_database_path(config), config.db_threads, std::chrono::milliseconds(2000)});
    set.sink = std::make_unique<adapters::sink::JsonlSink>(config.data_dir + "/events.jsonl");
  } catch (const std::exception& e) {
    return domain::fail(domain::ErrorCode::Unavailable, e.what());
  }
  auto queue = std::make_unique<adapters::inproc::InprocQueueStore>();
  // Fans keep their place and their session across a restart of concertd.
  set.background = std::make_shared<adapters::inproc::QueueSnapshotFile>(*queue, config.data_dir + "/queue.json");
  set.queue = std::move(queue);
  set.seat_maps = std::make_unique<adapters::inproc::InprocSeatMapCache>();
  set.seat_locks = std::make_unique<adapters::inproc::InprocSeatLock>(*set.clock);
  auto gateway = open_gateway(config);
  if (!gateway) return tl::unexpected(gateway.error());
  set.gateway = std::move(*gateway);
  set.lease = std::make_unique<adapters::inproc::SoleInstanceLease>();
  set.rate_limiter = std::make_unique<adapters::inproc::InProcessRateLimiter>();
  set.ready = [store = set.store.get()] { return store->ping(); };
  return set;
}

}  // namespace concert::bootstrap
