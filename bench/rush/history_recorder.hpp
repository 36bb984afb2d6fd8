// concert-rush --history FILE: every request a fan sends and what came back,
// one JSON line each (audit/history.hpp), for check_history after the run.
// Both IO threads record into one file through one buffered stream; the run is
// bounded in time, so the file is too.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "audit/history.hpp"
#include "bench/http/host_pool.hpp"

namespace concert::bench::rush {

class HistoryRecorder {
 public:
  // Truncates `path`; see ok(). A request the run's `deadline` cut short is
  // recorded as stopped by the tool, not as a server that did not answer in time.
  HistoryRecorder(const std::string& path, std::chrono::steady_clock::time_point deadline);
  HistoryRecorder(const HistoryRecorder&) = delete;
  HistoryRecorder& operator=(const HistoryRecorder&) = delete;

  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }

  // Numbers a request in send order (thread-safe).
  std::uint64_t next_seq() { return seq_.fetch_add(1, std::memory_order_relaxed) + 1; }
  // Thread-safe; a failed write makes ok() false and close() report it.
  void record(const audit::Exchange& e);
  // Flushes and closes; false when any write failed.
  bool close();
  std::size_t recorded() const;
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }

 private:
  std::string path_;
  std::chrono::steady_clock::time_point deadline_;
  std::vector<char> buffer_;  // before out_: the stream uses it until closed
  std::ofstream out_;
  std::atomic<std::uint64_t> seq_{0};
  mutable std::mutex mutex_;
  std::size_t recorded_ = 0;
  bool ok_ = false;
};

// Sends through `pool` and, when `history` is set, records the exchange as sent
// by `user` (the fan's JWT sub).
boost::asio::awaitable<Answer> send_recorded(HostPool& pool, const Request& request, const std::string& user,
                                             HistoryRecorder* history);

}  // namespace concert::bench::rush
