#include "adapters/http/response_cache.hpp"

namespace concert::http {

std::optional<Response> ResponseCache::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || Clock::now() - it->second.stored >= ttl_) return std::nullopt;
  return it->second.answer;
}

std::optional<Response> ResponseCache::stale(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  auto answer = it->second.answer;
  answer.headers["Cache-Status"] = "concertd; fwd=stale; fwd-status=503";
  return answer;
}

std::uint64_t ResponseCache::generation() {
  std::lock_guard lock(mutex_);
  return generation_;
}

Response ResponseCache::put(const std::string& key, std::uint64_t generation, Response answer) {
  const bool keep = (answer.status >= 200 && answer.status < 300) || answer.status == 404;
  if (!keep) return answer;
  answer.shared_body = std::make_shared<const std::string>(std::move(answer.body));
  answer.body.clear();
  std::lock_guard lock(mutex_);
  if (generation != generation_) return answer;           // rendered before a change: serve it, keep nothing
  if (entries_.size() >= max_entries_) entries_.clear();  // unknown ids cannot grow it without bound
  entries_[key] = Entry{answer, Clock::now()};
  return answer;
}

void ResponseCache::invalidate() {
  std::lock_guard lock(mutex_);
  ++generation_;
  entries_.clear();
}

}  // namespace concert::http
