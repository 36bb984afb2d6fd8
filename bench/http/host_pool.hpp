// The connections to one concertd instance: at most `max_connections` keep-alive
// HTTP/1.1 connections, shared by every fan of one IO thread; a request waits
// (FIFO) for a free connection rather than opening more. Not thread-safe: each
// IO thread has its own pools.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "bench/http/http_types.hpp"
#include "bench/http/routes.hpp"

namespace concert::bench {

struct BaseUrl {
  std::string host;
  unsigned short port = 0;
};
// "http://HOST:PORT" with an optional trailing slash; nullopt for anything else.
std::optional<BaseUrl> parse_base_url(const std::string& url);

class HostPool {
 public:
  // Resolves the host once, here. Every request's outcome goes to `stats`;
  // `user_agent` names the tool in the server's access log.
  HostPool(boost::asio::io_context& ioc, const BaseUrl& url, int max_connections, StatsBook& stats,
           std::string user_agent);
  ~HostPool();
  HostPool(const HostPool&) = delete;
  HostPool& operator=(const HostPool&) = delete;

  // Sends one request; never throws for network trouble (see Answer::failure).
  boost::asio::awaitable<Answer> send(const Request& request);

  // The run's deadline: aborts every exchange in flight, wakes every waiter, and
  // makes later sends fail at once with Failure::Stopped.
  void shut_down();

 private:
  struct Connection;
  struct Waiter {
    boost::asio::steady_timer timer;
    Connection* handed = nullptr;
  };

  struct Outcome {
    Answer answer;
    bool reused = false;  // went out on a connection opened by an earlier request
    bool stale = false;   // that connection turned out closed by the server: safe to resend
  };

  boost::asio::awaitable<Connection*> acquire(std::chrono::steady_clock::time_point give_up_at);
  void release(Connection* connection);
  boost::asio::awaitable<Outcome> exchange(Connection& connection, const Request& request,
                                           std::chrono::steady_clock::time_point give_up_at);

  boost::asio::io_context& ioc_;
  std::string host_header_;
  std::string user_agent_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  std::size_t max_connections_;
  StatsBook& stats_;
  // Connections live as long as the pool (a broken one is reopened in place), so
  // shut_down() can reach the ones in use and no fan holds a dangling pointer.
  std::vector<std::unique_ptr<Connection>> connections_;
  std::list<Waiter*> waiters_;
  bool stopped_ = false;
};

}  // namespace concert::bench
