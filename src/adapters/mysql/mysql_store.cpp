#include "adapters/mysql/mysql_store.hpp"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "adapters/mysql/dialect.hpp"
#include "adapters/sql/sql_tx.hpp"
#include "platform/outage_gate.hpp"
#include "platform/work_deadline.hpp"

namespace concert::adapters::mysql {

namespace {

// At most pool_size connections; a transaction waits up to acquire_timeout for
// one (a request's first one no longer than its work deadline), and a connection that saw a client error is closed
// instead of reused.
class MysqlStore final : public ports::Store {
 public:
  explicit MysqlStore(const MysqlOptions& options) : options_(options), outage_(options.outage) {
    options_.connection.implicit_transactions = true;  // every use is a SqlTx, which ends what it began
  }

  std::unique_ptr<ports::Tx> begin(ports::TxMode mode) override {
    // Let through while the gate is closed: the probe, which alone may wait out a connection.
    const bool probe = outage_.down();
    if (!outage_.may_try(platform::OutageGate::Clock::now())) throw unreachable();
    auto conn = acquire(probe);
    auto* raw = conn.get();
    return std::make_unique<sql::SqlTx<Connection>>(
        *raw, mysql_dialect(), mode,
        [this, owned = std::shared_ptr<Connection>(std::move(conn))]() mutable { give_back(std::move(owned)); });
  }

 private:
  static ports::StoreUnavailable unreachable() {
    return ports::StoreUnavailable("MySQL is unreachable (transactions are refused until a probe reaches it)");
  }

  // Waits for a connection, but not past the gate closing: the connections it
  // would wait for are stuck on a server that does not answer.
  std::shared_ptr<Connection> acquire(bool probe) {
    std::unique_lock lock(mutex_);
    const auto gave_up = [&] { return !probe && outage_.down(); };
    if (!available_.wait_until(lock, platform::WorkDeadline::begin_waiting(options_.acquire_timeout),
                               [&] { return gave_up() || !idle_.empty() || open_ < options_.pool_size; })) {
      throw ports::StoreUnavailable("all MySQL connections are busy");
    }
    if (gave_up()) throw unreachable();
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    // A connection just broke and none has answered since: a new one would most
    // likely wait out its connect timeout on top of this request's wait (a
    // stalled server: 2 s read timeout + 1 s connect). Refused at once instead;
    // the refusal counts as a failure, so the gate closes and its probe finds
    // out when the server answers again (else nobody would try again).
    if (!probe && outage_.suspect()) {
      outage_.unreachable(platform::OutageGate::Clock::now());
      lock.unlock();
      available_.notify_all();  // the gate has closed: waiters give up
      throw unreachable();
    }
    ++open_;
    lock.unlock();
    try {
      return std::make_shared<Connection>(options_.connection);
    } catch (...) {
      outage_.unreachable(platform::OutageGate::Clock::now());
      lock.lock();
      --open_;
      available_.notify_all();  // the gate may have closed: waiters give up
      throw;
    }
  }

  void give_back(std::shared_ptr<Connection> conn) {
    // A connection breaks on client errors only: the server was not reached or
    // did not answer in time. Any answer, errors included, means it is up.
    if (conn->broken()) {
      outage_.unreachable(platform::OutageGate::Clock::now());
    } else {
      outage_.reachable();
    }
    const bool broken = conn->broken();
    std::vector<std::shared_ptr<Connection>> stale;
    {
      std::lock_guard lock(mutex_);
      if (broken) {
        --open_;  // dropped; the next acquire opens a fresh one
        // The idle ones most likely went the same way (a restarted server drops
        // them all): dropped too, so none is found dead one request at a time.
        open_ -= static_cast<int>(idle_.size());
        stale.swap(idle_);
      } else {
        idle_.push_back(std::move(conn));
      }
    }
    if (broken) {
      available_.notify_all();  // the gate may have closed: waiters give up
    } else {
      available_.notify_one();
    }
  }

  MysqlOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::shared_ptr<Connection>> idle_;
  int open_ = 0;
  platform::OutageGate outage_;
};

}  // namespace

std::unique_ptr<ports::Store> open_mysql_store(const MysqlOptions& options) {
  migrate_mysql(options.connection);
  return std::make_unique<MysqlStore>(options);
}

std::unique_ptr<ports::Store> open_mysql_replica(const MysqlOptions& options) {
  return std::make_unique<MysqlStore>(options);
}

}  // namespace concert::adapters::mysql
