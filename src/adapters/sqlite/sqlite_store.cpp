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
// a process-wide mutex before BEGIN IMMEDIATE: SQLite allows one writer, and its
// busy handler sleep-polls, so queueing writers here gives prompt FIFO-ish
// wake-ups instead of retries that back off to milliseconds.
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
    std::unique_lock<std::timed_mutex> writer;
    if (mode == ports::TxMode::Write) {
      writer = std::unique_lock<std::timed_mutex>(writer_mutex_, std::defer_lock);
      if (!writer.try_lock_until(deadline)) throw ports::StoreUnavailable("timed out waiting for the SQLite writer");
    }
    Connection* conn = acquire(deadline);
    auto held = std::make_shared<std::unique_lock<std::timed_mutex>>(std::move(writer));
    return std::make_unique<sql::SqlTx<Connection>>(*conn, sqlite_dialect(), mode, [this, conn, held] {
      if (held->owns_lock()) held->unlock();
      give_back(conn);
    });
  }


 private:
  Connection* acquire(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    if (!available_.wait_until(lock, deadline, [this] { return !idle_.empty(); })) {
      throw ports::StoreUnavailable("all SQLite connections are busy");
    }
    Connection* conn = idle_.back();
    idle_.pop_back();
    return conn;
  }

  void give_back(Connection* conn) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(conn);
    }
    available_.notify_one();
  }

  SqliteOptions options_;
  std::vector<std::unique_ptr<Connection>> all_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Connection*> idle_;
  std::timed_mutex writer_mutex_;
};

}  // namespace

std::unique_ptr<ports::Store> open_sqlite_store(const SqliteOptions& options) {
  migrate_sqlite(options.path);
  return std::make_unique<SqliteStore>(options);
}

}  // namespace concert::adapters::sqlite
