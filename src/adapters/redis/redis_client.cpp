#include "adapters/redis/redis_client.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <map>
#include <string_view>

#include "platform/crypto.hpp"

namespace concert::adapters::redis {

namespace {

// Error replies of a Redis that is up but cannot serve for now: loading its data
// after a restart, out of memory, a replica or a master without its replicas, a
// busy script, a cluster reconfiguring. They are the same fast 503 as a lost
// connection (SPEC I7), not a bug of ours.
bool cannot_serve_now(std::string_view error) {
  static constexpr std::string_view prefixes[] = {"LOADING",  "OOM",         "READONLY",   "MASTERDOWN", "BUSY",
                                                  "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "MISCONF"};
  for (const auto prefix : prefixes) {
    if (error.rfind(prefix, 0) == 0 && (error.size() == prefix.size() || error[prefix.size()] == ' ')) return true;
  }
  return false;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::Integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::String;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::Array;
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

long long Reply::as_int() const {
  if (type == Type::Integer) return integer;
  long long v = 0;
  std::from_chars(str.data(), str.data() + str.size(), v);
  return v;
}

namespace {

// A number of digits only into `out`. atoi, used before, read "6x" as 6 and had
// undefined behaviour past INT_MAX ("redis://h:4294973593" gave port 6297):
// found by tests/fuzz/fuzz_urls.
bool read_digits(const std::string& text, int& out) {
  if (text.empty() || text[0] == '-') return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

domain::Result<RedisEndpoint> parse_redis_url(const std::string& url) {
  const std::string scheme = "redis://";
  if (url.rfind(scheme, 0) != 0) {
    return domain::fail(domain::ErrorCode::InvalidInput, "bad Redis URL; expected redis://host:port/db");
  }
  RedisEndpoint e;
  std::string rest = url.substr(scheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    const auto db = rest.substr(slash + 1);  // "redis://host:port/" is db 0, as before
    if (!db.empty() && !read_digits(db, e.db)) {
      return domain::fail(domain::ErrorCode::InvalidInput, "bad Redis URL db: " + url);
    }
    rest = rest.substr(0, slash);
  }
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    if (!read_digits(rest.substr(colon + 1), e.port)) e.port = 0;  // refused below
    rest = rest.substr(0, colon);
  }
  if (rest.empty() || e.port <= 0 || e.port > 65535) {
    return domain::fail(domain::ErrorCode::InvalidInput, "bad Redis URL host or port: " + url);
  }
  e.host = rest;
  return e;
}

struct RedisClient::Connection {
  redisContext* ctx = nullptr;
  bool broken = false;                               // dropped when given back
  bool unreachable = false;                          // it could not reach Redis (connect, I/O error, timeout)
  std::map<std::string, std::string> sha_by_script;  // loaded scripts
  ~Connection() {
    if (ctx) redisFree(ctx);
  }
};

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)), outage_(options_.outage) {}
RedisClient::~RedisClient() = default;

std::unique_ptr<RedisClient::Connection> RedisClient::acquire() {
  if (!outage_.may_try(platform::OutageGate::Clock::now())) {
    throw RedisUnavailable("Redis is unreachable (calls are refused until a probe reaches it)");
  }
  std::unique_lock lock(mutex_);
  if (!available_.wait_for(lock, options_.acquire_timeout,
                           [this] { return !idle_.empty() || open_ < options_.pool_size; })) {
    throw RedisUnavailable("all Redis connections are busy");
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  lock.unlock();
  auto conn = std::make_unique<Connection>();
  const auto& e = options_.endpoint;
  conn->ctx = redisConnectWithTimeout(e.host.c_str(), e.port, to_timeval(options_.connect_timeout));
  if (!conn->ctx || conn->ctx->err) {
    const std::string why = conn->ctx ? conn->ctx->errstr : "out of memory";
    conn->broken = conn->unreachable = true;
    give_back(std::move(conn));
    throw RedisUnavailable("cannot connect to Redis at " + e.host + ":" + std::to_string(e.port) + ": " + why);
  }
  redisSetTimeout(conn->ctx, to_timeval(options_.command_timeout));
  if (e.db != 0) {
    try {
      run(*conn, {"SELECT", std::to_string(e.db)});
    } catch (...) {
      conn->broken = true;  // not on its database: dropped, and its place in the pool freed
      give_back(std::move(conn));
      throw;
    }
  }
  return conn;
}

void RedisClient::give_back(std::unique_ptr<Connection> conn) {
  // Redis answered unless the connection could not reach it; error replies and
  // a refused SELECT are answers.
  if (conn->unreachable) {
    outage_.unreachable(platform::OutageGate::Clock::now());
  } else {
    outage_.reachable();
  }
  {
    std::lock_guard lock(mutex_);
    if (conn->broken) {
      --open_;
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  available_.notify_one();
}

Reply RedisClient::run(Connection& conn, const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<std::size_t> lengths;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* raw =
      static_cast<redisReply*>(redisCommandArgv(conn.ctx, static_cast<int>(args.size()), args.data(), lengths.data()));
  if (!raw) {
    conn.broken = conn.unreachable = true;  // I/O error or timeout: the protocol state is unknown
    throw RedisUnavailable(std::string("Redis command failed: ") + conn.ctx->errstr);
  }
  std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(raw, freeReplyObject);
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string error(reply->str, reply->len);
    if (cannot_serve_now(error)) throw RedisUnavailable("Redis cannot serve now: " + error);
    throw std::runtime_error(error);
  }
  return convert(reply.get());
}

Reply RedisClient::command(const std::vector<std::string>& argv) {
  auto conn = acquire();
  try {
    auto reply = run(*conn, argv);
    give_back(std::move(conn));
    return reply;
  } catch (...) {
    give_back(std::move(conn));
    throw;
  }
}

Reply RedisClient::eval(const Script& script, const std::vector<std::string>& keys,
                        const std::vector<std::string>& args) {
  auto conn = acquire();
  auto call = [&](const std::string& sha) {
    std::vector<std::string> argv{"EVALSHA", sha, std::to_string(keys.size())};
    for (const auto& k : keys) argv.push_back(options_.key_prefix + k);
    argv.insert(argv.end(), args.begin(), args.end());
    return run(*conn, argv);
  };
  try {
    auto& sha = conn->sha_by_script[script.name];
    if (sha.empty()) sha = run(*conn, {"SCRIPT", "LOAD", script.source}).str;
    Reply reply;
    try {
      reply = call(sha);
    } catch (const RedisUnavailable&) {
      throw;
    } catch (const std::runtime_error& e) {
      if (std::string_view(e.what()).rfind("NOSCRIPT", 0) != 0) throw;
      sha = run(*conn, {"SCRIPT", "LOAD", script.source}).str;  // Redis restarted and lost its scripts
      reply = call(sha);
    }
    give_back(std::move(conn));
    return reply;
  } catch (...) {
    give_back(std::move(conn));
    throw;
  }
}

}  // namespace concert::adapters::redis
