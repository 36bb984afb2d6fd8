// concert-holdpay against a running concertd: its own sale (one seat per fan)
// and ACTIVE fans set up through the API, then the timed holds and payments.
#pragma once

#include "bench/holdpay/options.hpp"
#include "bench/holdpay/outcome.hpp"

namespace concert::bench::holdpay {

// Throws std::runtime_error when the set-up fails.
Outcome measure_concertd(const HoldPayOptions& options, Clock::time_point deadline);

}  // namespace concert::bench::holdpay
