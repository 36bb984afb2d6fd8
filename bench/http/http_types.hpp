// One request as a fan sends it, and what came back.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bench/http/routes.hpp"

namespace concert::bench {

struct Request {
  Route route = Route::SeatMap;
  std::string method = "GET";
  std::string target;  // path and query
  std::string body;    // JSON; empty for none
  std::string bearer;  // JWT; empty for public routes
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{5000};  // the whole exchange, connect included
  // An impatient client: its timeout fires as soon as the request is out, so the
  // server does the work but the answer is never read (Failure::Timeout).
  bool give_up_after_send = false;
  // The timeout is the run's end, not the client's patience: a request it cuts
  // was stopped by the run (Failure::Stopped), not timed out.
  bool timeout_is_run_end = false;
};

struct Answer {
  int status = 0;  // 0: no answer, see failure
  Failure failure = Failure::None;
  std::string body;
  std::string etag;
  std::chrono::seconds retry_after{0};

  bool success() const { return status >= 200 && status < 300; }
  // The body as JSON; null when it is not JSON.
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  // The stable `code` of a problem body (SPEC §4); empty otherwise.
  std::string problem_code() const;
};

}  // namespace concert::bench
