// Runs `count` copies of a coroutine at once on one io_context and returns when
// all of them are done. At `deadline`, or as soon as a worker lets an exception
// escape, `stop` runs once: it makes the other workers finish (say, by shutting
// their connection pool down). Then rethrows that first exception, if any.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace concert::bench::holdpay {

void run_workers(boost::asio::io_context& ioc, int count, const std::function<boost::asio::awaitable<void>()>& worker,
                 std::chrono::steady_clock::time_point deadline, const std::function<void()>& stop);

}  // namespace concert::bench::holdpay
