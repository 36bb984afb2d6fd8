// Runs one coroutine to completion on an io_context from plain code (a sale's
// set-up, concert-rush's admission log after it).
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>

namespace concert::bench {

template <typename T>
T run_sync(boost::asio::io_context& ioc, boost::asio::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
  });
  ioc.restart();
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

}  // namespace concert::bench
