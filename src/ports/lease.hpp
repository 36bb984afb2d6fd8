// A time-bounded lease, so that with several instances exactly one runs a given
// background job (promotion, outbox relay) at a time. Correctness never rests on
// it: the database's conditional UPDATEs still decide; the lease avoids two
// promoters racing on one queue and two relays publishing the same batch at once.
#pragma once

#include <string>

#include "domain/types.hpp"

namespace concert::ports {

class Lease {
 public:
  virtual ~Lease() = default;
  // Takes or renews the lease `name` for `owner` for `ttl`; false if another owner holds it.
  virtual bool hold(const std::string& name, const std::string& owner, domain::Millis ttl) = 0;
  // Gives the lease back if `owner` holds it, so another instance takes the job
  // over at its next tick instead of after the ttl (a graceful shutdown).
  virtual void release(const std::string& name, const std::string& owner) = 0;
};

}  // namespace concert::ports
