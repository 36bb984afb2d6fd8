// The sale concert-rush plays: its own concert and schedule, created through the
// admin API with exactly the requested number of seats and on sale at once.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>

#include "bench/http/host_pool.hpp"
#include "bench/rush/options.hpp"
#include "bench/rush/seat_map.hpp"

namespace concert::bench::rush {

struct Sale {
  std::int64_t concert_id = 0;
  std::int64_t schedule_id = 0;
  int max_seats_per_user = 4;
  SeatRanking ranking;
};

// Throws std::runtime_error naming the call that failed.
boost::asio::awaitable<Sale> set_up_sale(HostPool& admin, const std::string& admin_jwt, const RushOptions& options,
                                         const std::string& run_id);

}  // namespace concert::bench::rush
