// `concertd serve` and `concertd migrate`: build the adapter set of the profile,
// wire use cases, workers and HTTP, and run until SIGTERM/SIGINT.
#pragma once

#include "domain/errors.hpp"
#include "platform/config.hpp"

namespace concert::bootstrap {

domain::Result<void> serve(const platform::Config& config);
domain::Result<void> migrate(const platform::Config& config);

}  // namespace concert::bootstrap
