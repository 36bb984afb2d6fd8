// A benchmark's own sale, set up through concertd's admin API: a concert and one
// schedule with exactly the requested number of seats, on sale at once, and the
// seat list as the public seat map shows it.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/http/host_pool.hpp"

namespace concert::bench {

struct SaleSpec {
  std::string title;
  int seats = 50;
  int admit_per_second = 100;
  int max_active = 100;
  int active_ttl_seconds = 60;
  std::chrono::milliseconds request_timeout{5000};
};

struct CreatedSale {
  std::int64_t concert_id = 0;
  std::int64_t schedule_id = 0;
  int max_seats_per_user = 4;
  nlohmann::json seats;  // the `seats` array of GET /schedules/{id}/seats, exactly spec.seats long
};

// Throws std::runtime_error naming the call that failed.
boost::asio::awaitable<CreatedSale> create_sale(HostPool& admin, const std::string& admin_jwt, const SaleSpec& spec);

// Throws std::runtime_error("<what> failed: ...") unless `answer` has `status`.
void expect_status(const Answer& answer, int status, const std::string& what);

}  // namespace concert::bench
