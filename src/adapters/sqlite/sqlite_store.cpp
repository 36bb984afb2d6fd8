#include "adapters/sqlite/sqlite_store.hpp"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "adapters/sqlite/connection.hpp"
#include "adapters/sql/sql_tx.hpp"
#include "adapters/sqlite/dialect.hpp"

namespace concert::adapters::sqlite {

namespace {

// A fixed set of connections handed out one per transaction. Writers also take
// the store's writer slot before BEGIN IMMEDIATE: SQLite allows one writer, and
// its busy handler sleep-polls, so queueing writers here gives prompt wake-ups
// instead of retries that back off to milliseconds. The slot is a flag under the
// pool's mutex, not a mutex held by the transaction: a transaction may end on
// another thread than the one that began it, and a mutex must be unlocked by
// its owner.
class SqliteStore final : public ports::Store {
 public:
  explicit SqliteStore(const SqliteOptions& options) : options_(options) {
    for (int i = 0; i < options.pool_size; ++i) {
      all_.push_back(std::make_unique<Connection>(options.path));
      idle_.push_back(all_.back().get());
    }
  }

  std::unique_ptr<ports::Tx> begin(ports::TxMode mode) override {
    const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    const bool writes = mode == ports::TxMode::Write;
    Connection* conn = acquire(deadline, writes);
    return std::make_unique<sql::SqlTx<Connection>>(*conn, sqlite_dialect(), mode,
                                                    [this, conn, writes] { give_back(conn, writes); });
  }


 private:
  // A connection, and for a writer the writer slot as well, or StoreUnavailable at the deadline.
  Connection* acquire(std::chrono::steady_clock::time_point deadline, bool writes) {
    std::unique_lock lock(mutex_);
    if (writes) {
      if (!writer_free_.wait_until(lock, deadline, [this] { return !writer_busy_; })) {
        throw ports::StoreUnavailable("timed out waiting for the SQLite writer");
      }
      writer_busy_ = true;
    }
    if (!available_.wait_until(lock, deadline, [this] { return !idle_.empty(); })) {
      if (writes) release_writer();
      throw ports::StoreUnavailable("all SQLite connections are busy");
    }
    Connection* conn = idle_.back();
    idle_.pop_back();
    return conn;
  }

  void give_back(Connection* conn, bool writes) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(conn);
      if (writes) release_writer();
    }
    available_.notify_one();
  }

  void release_writer() {  // under mutex_
    writer_busy_ = false;
    writer_free_.notify_one();
  }

  SqliteOptions options_;
  std::vector<std::unique_ptr<Connection>> all_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Connection*> idle_;
  std::condition_variable writer_free_;
  bool writer_busy_ = false;
};

}  // namespace

std::unique_ptr<ports::Store> open_sqlite_store(const SqliteOptions& options) {
  migrate_sqlite(options.path);
  return std::make_unique<SqliteStore>(options);
}

}  // namespace concert::adapters::sqlite
