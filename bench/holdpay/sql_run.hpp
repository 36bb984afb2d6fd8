// The raw SQL baseline's timed phase: one thread per session, each taking the
// next fan and running its hold and its payment (sql_fan.hpp).
#pragma once

#include <memory>
#include <vector>

#include "bench/holdpay/outcome.hpp"
#include "bench/holdpay/sql_fan.hpp"
#include "bench/holdpay/sql_session.hpp"

namespace concert::bench::holdpay {

// A session whose connection breaks is replaced from `reopen`. No fan starts
// after `deadline`; fans not reached by then count as errors.
Outcome run_sql_fans(std::vector<std::unique_ptr<SqlSession>> sessions, const SessionFactory& reopen,
                     const std::vector<SqlFan>& fans, Statements statements, Clock::time_point deadline);

}  // namespace concert::bench::holdpay
