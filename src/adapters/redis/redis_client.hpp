// A small pool of synchronous hiredis connections with timeouts on connect and
// on every command. Lua scripts run by EVALSHA, loaded again on NOSCRIPT (after
// a Redis restart). A connection that saw an I/O error is dropped, so the client
// reconnects by itself; callers get RedisUnavailable (-> 503) meanwhile, at once
// while Redis is known to be down (platform::OutageGate).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/errors.hpp"
#include "platform/outage_gate.hpp"
#include "ports/store.hpp"

struct redisContext;

namespace concert::adapters::redis {

// Redis cannot be reached or answered too late: the same "dependency down, retry
// later" the database reports, so the HTTP layer answers 503 for both.
struct RedisUnavailable : ports::StoreUnavailable {
  using ports::StoreUnavailable::StoreUnavailable;
};

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
};
domain::Result<RedisEndpoint> parse_redis_url(const std::string& url);

struct RedisOptions {
  RedisEndpoint endpoint;
  int pool_size = 4;
  // Redis answers in microseconds: half a second means it is stalled or gone,
  // and a request that needs it fails within a second (issue 13 item 4).
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{500};
  std::chrono::milliseconds acquire_timeout{1000};
  std::string key_prefix;  // namespaces every key (tests share one server)
  // While Redis is down, calls are refused at once but for one probe every
  // 500 ms (a probe may hold its thread for the 500 ms connect timeout).
  platform::OutageGate::Options outage = {2, std::chrono::milliseconds(500)};
};

// A reply flattened into values: nil, integer, string/status, or array.
struct Reply {
  enum class Type { Nil, Integer, String, Array };
  Type type = Type::Nil;
  long long integer = 0;
  std::string str;
  std::vector<Reply> elements;

  long long as_int() const;  // integer replies, and strings holding digits
};

struct Script {
  const char* name;
  const char* source;
};

class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  Reply command(const std::vector<std::string>& argv);
  Reply eval(const Script& script, const std::vector<std::string>& keys, const std::vector<std::string>& args);
  const std::string& prefix() const { return options_.key_prefix; }

 private:
  struct Connection;
  std::unique_ptr<Connection> acquire();
  void give_back(std::unique_ptr<Connection> conn);
  Reply run(Connection& conn, const std::vector<std::string>& argv);

  RedisOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
  platform::OutageGate outage_;
};

}  // namespace concert::adapters::redis
