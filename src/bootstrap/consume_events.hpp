// `concertd events`: a small consumer of the production event stream that prints
// each event once, as JSON lines, deduplicating the relay's at-least-once
// delivery by event id (see adapters/redis/stream_consumer.hpp).
#pragma once

#include <string>

#include "domain/errors.hpp"
#include "platform/config.hpp"

namespace concert::bootstrap {

struct ConsumeOptions {
  std::string group = "printer";
  std::string consumer = "printer-1";
  bool follow = false;  // keep reading until SIGINT/SIGTERM; else stop when the stream is drained
};

domain::Result<void> consume_events(const platform::Config& config, const ConsumeOptions& options);

}  // namespace concert::bootstrap
