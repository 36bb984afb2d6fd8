// A double click: the same request sent twice at once, possibly to two different
// instances. Boost 1.74 has no awaitable operators (`&&` came in 1.76), so the
// twin runs as its own coroutine and signals a timer when it is done.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>

#include "bench/http/host_pool.hpp"
#include "bench/rush/history_recorder.hpp"

namespace concert::bench::rush {

// Both answers, `first` from `a`, `second` from `b`; returns when both are in.
// Each send is recorded in `history` (when set) as sent by `user`.
struct TwinAnswers {
  Answer first;
  Answer second;
};
boost::asio::awaitable<TwinAnswers> send_twice(HostPool& a, HostPool& b, const Request& request,
                                               const std::string& user, HistoryRecorder* history);

}  // namespace concert::bench::rush
