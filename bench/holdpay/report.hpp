// The run as text: a short summary for people, then, as the last line of
// stdout, one line for scripts:
//   RESULT holdpay_tps=<float> completed=<int> errors=<int> hold_p99_ms=<float> pay_p99_ms=<float>
#pragma once

#include <ostream>

#include "bench/holdpay/options.hpp"
#include "bench/holdpay/outcome.hpp"

namespace concert::bench::holdpay {

void print_report(std::ostream& out, const HoldPayOptions& options, const Outcome& outcome);

}  // namespace concert::bench::holdpay
