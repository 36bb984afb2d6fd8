// concert-holdpay's fans against concertd, set up before the clock starts: each
// has its own user and JWT, one seat of its own (no two fans want the same seat:
// contention is concert-rush's business), and an ACTIVE queue token.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/http/host_pool.hpp"

namespace concert::bench::holdpay {

struct HttpFan {
  std::string user;
  std::string jwt;
  std::int64_t seat_id = 0;
  std::string queue_token;  // ACTIVE once admit_fans returned
};

// One fan per seat of `seats` (the seat map's array), users named after `run_id`.
std::vector<HttpFan> make_fans(const std::string& jwt_secret, const std::string& run_id, const nlohmann::json& seats);

struct Admission {
  HostPool& pool;
  std::int64_t schedule_id = 0;
  int workers = 1;  // requests in flight at once
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::steady_clock::time_point deadline;
};

// Every fan enters the schedule's queue, then the fans not yet ACTIVE poll
// GET /queue/status, round after round, until all are. Throws
// std::runtime_error when a fan cannot enter or the deadline comes first.
void admit_fans(boost::asio::io_context& ioc, const Admission& admission, std::vector<HttpFan>& fans);

}  // namespace concert::bench::holdpay
