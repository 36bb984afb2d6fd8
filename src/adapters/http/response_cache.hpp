// Answers of the public catalogue reads, kept for a moment (SPEC §2a: in a rush
// every fan reads the catalogue, which changes only through the admin API). An
// answer is served from memory until `ttl` passes or this instance changes the
// catalogue (invalidate()); another instance's change shows within `ttl`. While
// the database is unreachable, the last answer kept is served however old
// (stale()): the catalogue changes rarely, and a fan reading it needs no database.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "adapters/http/message.hpp"

namespace concert::http {

class ResponseCache {
 public:
  using Clock = std::chrono::steady_clock;

  ResponseCache(std::chrono::milliseconds ttl, std::size_t max_entries) : ttl_(ttl), max_entries_(max_entries) {}

  // The kept answer for `key`, its body shared rather than copied. Memory only:
  // the IO threads call it.
  std::optional<Response> get(const std::string& key);
  // The last answer kept for `key`, past its ttl too, marked as served stale
  // (RFC 9211 Cache-Status); none after an invalidate().
  std::optional<Response> stale(const std::string& key);
  // Read before rendering: put() keeps an answer only if no invalidate() came since.
  std::uint64_t generation();
  // Keeps `answer` (2xx and 404 only) and returns it; at max_entries the cache starts afresh.
  Response put(const std::string& key, std::uint64_t generation, Response answer);
  void invalidate();

 private:
  struct Entry {
    Response answer;  // shared_body set, body empty
    Clock::time_point stored;
  };

  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace concert::http
