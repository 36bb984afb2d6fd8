// concert-holdpay's raw SQL baseline: the hold and payment statements of
// concertd sent straight to the database (--mysql, --sqlite) by as many threads
// as --connections, each with its own connection.
#pragma once

#include "bench/holdpay/options.hpp"
#include "bench/holdpay/outcome.hpp"

namespace concert::bench::holdpay {

// Throws when the set-up fails (ports::StoreUnavailable: cannot connect, no schema).
Outcome measure_database(const HoldPayOptions& options, Clock::time_point deadline);

}  // namespace concert::bench::holdpay
