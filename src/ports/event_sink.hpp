// Where the outbox relay publishes (embedded: a JSON-lines file; production: a
// Redis Stream). publish() returns only once the batch is durable there; it
// throws on failure so the relay leaves the rows unpublished and retries.
#pragma once

#include <span>

#include "domain/events.hpp"

namespace concert::ports {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void publish(std::span<const domain::OutboxEvent> events) = 0;
};

}  // namespace concert::ports
