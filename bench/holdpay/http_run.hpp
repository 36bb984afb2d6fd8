// The timed phase against concertd: `workers` coroutines on one IO thread, each
// taking the next fan and sending its hold (POST /reservations, one seat) and
// then its payment (POST /payments), each with an Idempotency-Key.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/io_context.hpp>
#include <vector>

#include "bench/holdpay/http_fans.hpp"
#include "bench/holdpay/outcome.hpp"

namespace concert::bench::holdpay {

struct HttpRun {
  HostPool& pool;
  std::int64_t schedule_id = 0;
  std::string run_id;  // scopes the Idempotency-Keys
  int workers = 1;
  std::chrono::milliseconds request_timeout{10'000};
  Clock::time_point deadline;
};

// Fans not reached by the deadline count as errors.
Outcome run_holds_and_payments(boost::asio::io_context& ioc, const HttpRun& run, const std::vector<HttpFan>& fans);

}  // namespace concert::bench::holdpay
