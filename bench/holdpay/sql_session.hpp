// One database connection a baseline worker owns, behind ports::Tx: the same
// SqlTx and the same SQL text (the dialect) concertd's own store uses, with
// server-side prepared statements kept per connection, but no pool, no
// idempotency records, no locks and no application logic around it.
#pragma once

#include <functional>
#include <memory>

#include "bench/holdpay/options.hpp"
#include "ports/store.hpp"

namespace concert::bench::holdpay {

class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // A write transaction (the dialect's BEGIN); rolls back unless committed.
  virtual std::unique_ptr<ports::Tx> begin() = 0;
  // Within `tx` (begun here): the conditional UPDATE seats -> HELD of a hold,
  // in the form of --hold-sql. Returns the rows it changed.
  virtual int hold_seat(ports::Tx& tx, domain::Id schedule_id, domain::Id seat_id, domain::Id reservation_id,
                        domain::TimePoint expires_at) = 0;
  // Prepares every statement of a hold and a payment now, before the clock runs.
  virtual void prepare_hold_and_pay() = 0;
  // The connection saw a client error (MariaDB CR_*) and is of no further use.
  virtual bool broken() const = 0;
};

// Opens one more session to the database of --mysql or --sqlite; throws
// ports::StoreUnavailable when it cannot.
using SessionFactory = std::function<std::unique_ptr<SqlSession>()>;
SessionFactory session_factory(const HoldPayOptions& options);

}  // namespace concert::bench::holdpay
