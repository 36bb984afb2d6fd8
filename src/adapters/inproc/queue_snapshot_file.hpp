// Keeps the embedded queue across a restart of concertd (issue 13 item 3): the
// queue is loaded from <data_dir>/queue.json at start, written there again
// within `every` of any change, and once more when concertd stops. A kill -9
// loses at most the moves of that last interval; fans re-entering get their
// old ticket back (enter is idempotent per user), and admitted fans keep their
// session. Written whole to a temporary file, fsynced, then renamed, so a crash
// mid-write leaves the previous snapshot.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/inproc/queue_store.hpp"

namespace concert::adapters::inproc {

class QueueSnapshotFile {
 public:
  // Loads `path` into `store` (which must be empty) if it exists. A file that
  // cannot be read as a snapshot is kept aside as <path>.unreadable and the
  // queue starts empty: the sale goes on, and the file is there to look at.
  QueueSnapshotFile(InprocQueueStore& store, std::string path,
                    std::chrono::milliseconds every = std::chrono::milliseconds(1000));
  ~QueueSnapshotFile();  // stops the writer and writes the last state
  QueueSnapshotFile(const QueueSnapshotFile&) = delete;
  QueueSnapshotFile& operator=(const QueueSnapshotFile&) = delete;

  bool loaded() const { return loaded_; }
  void write_now();  // if the queue changed since the last write

 private:
  void run(std::stop_token stop);

  InprocQueueStore& store_;
  std::string path_;
  std::chrono::milliseconds every_;
  bool loaded_ = false;
  std::mutex write_mutex_;
  std::uint64_t written_version_ = 0;
  std::mutex wait_mutex_;
  std::condition_variable_any wake_;
  std::jthread writer_;
};

}  // namespace concert::adapters::inproc
