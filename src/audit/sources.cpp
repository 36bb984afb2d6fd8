#include "audit/sources.hpp"

#include "adapters/mysql/mysql_store.hpp"
#include "adapters/redis/stream_sink.hpp"
#include "adapters/sqlite/sqlite_store.hpp"

namespace concert::audit {

namespace {

constexpr std::string_view kSqlite = "sqlite:";
constexpr std::string_view kJsonl = "jsonl:";

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

domain::Result<std::unique_ptr<ports::Store>> open_store(const std::string& db_url) {
  if (starts_with(db_url, kSqlite)) {
    return adapters::sqlite::open_sqlite_store({db_url.substr(kSqlite.size()), 2, std::chrono::seconds(5)});
  }
  if (starts_with(db_url, "mysql://")) {
    auto endpoint = adapters::mysql::parse_mysql_url(db_url);
    if (!endpoint) return tl::unexpected(endpoint.error());
    return adapters::mysql::open_mysql_store({{*endpoint}, 2, std::chrono::seconds(5)});
  }
  return domain::fail(domain::ErrorCode::InvalidInput, "--db must be sqlite:PATH or mysql://user:pass@host:port/db");
}

domain::Result<EventCopies> read_published_events(const std::string& events_url, const std::string& redis_prefix) {
  auto sequence = read_published_sequence(events_url, redis_prefix);
  if (!sequence) return tl::unexpected(sequence.error());
  return count_copies(*sequence);
}

domain::Result<EventSequence> read_published_sequence(const std::string& events_url, const std::string& redis_prefix) {
  if (starts_with(events_url, kJsonl)) return read_jsonl_event_sequence(events_url.substr(kJsonl.size()));
  if (starts_with(events_url, "redis://")) {
    auto endpoint = adapters::redis::parse_redis_url(events_url);
    if (!endpoint) return tl::unexpected(endpoint.error());
    adapters::redis::RedisOptions options;
    options.endpoint = *endpoint;
    options.pool_size = 1;
    options.command_timeout = std::chrono::seconds(5);
    adapters::redis::RedisClient redis(options);
    return read_stream_event_sequence(redis, redis_prefix + adapters::redis::kEventStream);
  }
  return domain::fail(domain::ErrorCode::InvalidInput, "--events must be jsonl:PATH or redis://host:port/db");
}

}  // namespace concert::audit
