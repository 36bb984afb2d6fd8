// Reads a schedule's admission log, GET /api/v1/admin/schedules/{id}/admissions
// ?after=SEQ -> {"items":[{seq, userId, enteredAt, admittedAt}], "next": SEQ},
// page by page until a page is empty. Kept apart so the I5 check is easy to
// adjust while the endpoint settles.
#pragma once

#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "audit/admissions.hpp"
#include "bench/http/host_pool.hpp"

namespace concert::bench::rush {

struct AdmissionLog {
  enum class State { Read, Failed };
  State state = State::Failed;
  std::vector<audit::Admission> items;
  std::string problem;  // why it Failed
};

// Every page is asked for by `give_up_at`; a log not read by then is Failed.
boost::asio::awaitable<AdmissionLog> fetch_admission_log(HostPool& pool, const std::string& admin_jwt,
                                                         std::int64_t schedule_id,
                                                         std::chrono::steady_clock::time_point give_up_at);

}  // namespace concert::bench::rush
