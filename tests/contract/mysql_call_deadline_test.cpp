// A MySQL connection's calls end by a deadline of milliseconds (call_timeout,
// connect_timeout), not by the client library's whole-second timeouts: past it
// the connection is closed and the call fails as the store's outage error, and
// nothing else is sent on it. Below it, a lock wait still ends as a conflict on
// a connection that lives on (issue 13 item 4: a request answers within 2 s).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "adapters/mysql/connection.hpp"
#include "adapters/mysql/mysql_store.hpp"
#include "platform/work_deadline.hpp"
#include "support/app_fixture.hpp"
#include "support/backends.hpp"

namespace concert::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class MysqlCallDeadline : public ::testing::Test {
 protected:
  void SetUp() override {
    CONCERT_REQUIRE_BACKEND(AdapterKind::MariaDb);
    options_ = private_database(database_);
  }

  std::shared_ptr<void> database_;
  adapters::mysql::ConnectionOptions options_;
};

TEST_F(MysqlCallDeadline, AStatementPastItsDeadlineClosesTheConnectionInsteadOfWaitingForTheServer) {
  options_.call_timeout = 300ms;
  adapters::mysql::Connection conn(options_);
  const auto start = Clock::now();
  try {
    conn.exec("SELECT SLEEP(3)");
    FAIL() << "a 3 s statement finished within a 300 ms deadline";
  } catch (const ports::StoreUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("did not answer within 300 ms"), std::string::npos) << e.what();
  }
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 2s) << "the call waited for the server (3 s) or the library's whole-second timeout";
  EXPECT_TRUE(conn.broken());
  // Nothing more goes out on it: refused at once, for plain and prepared statements alike.
  const auto again = Clock::now();
  EXPECT_THROW(conn.exec("SELECT 1"), ports::StoreUnavailable);
  EXPECT_THROW(conn.prepare("SELECT 2"), ports::StoreUnavailable);
  EXPECT_LT(Clock::now() - again, 100ms);
}

TEST_F(MysqlCallDeadline, APreparedStatementPastItsDeadlineFailsTheSameWay) {
  options_.call_timeout = 300ms;
  adapters::mysql::Connection conn(options_);
  auto sleep = conn.prepare("SELECT SLEEP(?)");
  sleep.bind_all(3);
  const auto start = Clock::now();
  EXPECT_THROW(sleep.step(), ports::StoreUnavailable);
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_TRUE(conn.broken());
  auto cached = conn.prepare("SELECT SLEEP(?)");  // the cached statement, detached from the closed connection
  cached.bind_all(0);
  EXPECT_THROW(cached.step(), ports::StoreUnavailable);
}

// The default deadline (1.5 s) lies above InnoDB's lock wait (1 s): a statement
// that waits for another transaction's row lock ends as a conflict, and its
// connection goes on serving.
TEST_F(MysqlCallDeadline, ALockWaitBelowTheDeadlineEndsAsAConflictOnALiveConnection) {
  options_.implicit_transactions = true;
  adapters::mysql::Connection holder(options_);
  adapters::mysql::Connection waiter(options_);
  holder.exec("CREATE TABLE lock_probe (id INT PRIMARY KEY, n INT) ENGINE=InnoDB");
  holder.exec("INSERT INTO lock_probe VALUES (1, 0)");
  holder.exec("COMMIT");
  holder.exec("SELECT n FROM lock_probe WHERE id = 1 FOR UPDATE");  // holds the row lock until COMMIT
  const auto start = Clock::now();
  EXPECT_THROW(waiter.exec("UPDATE lock_probe SET n = 1 WHERE id = 1"), ports::TxConflict);
  EXPECT_GE(Clock::now() - start, 900ms);  // it did wait for the lock
  EXPECT_FALSE(waiter.broken());
  waiter.exec("ROLLBACK");
  holder.exec("COMMIT");
  EXPECT_NO_THROW(waiter.exec("UPDATE lock_probe SET n = 2 WHERE id = 1"));
  waiter.exec("COMMIT");
  auto n = holder.prepare("SELECT n FROM lock_probe WHERE id = 1");
  ASSERT_TRUE(n.step());
  EXPECT_EQ(n.int64(0), 2);
  holder.exec("COMMIT");
}

// A server that takes the TCP connection but never greets (a stalled MariaDB:
// the kernel still accepts) costs connect_timeout, in milliseconds.
TEST_F(MysqlCallDeadline, AServerThatNeverGreetsCostsTheConnectTimeoutInMilliseconds) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 8), 0);  // never accepted: the handshake's greeting never comes
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  auto silent = options_;
  silent.endpoint.host = "127.0.0.1";
  silent.endpoint.port = ntohs(address.sin_port);
  silent.connect_timeout = 250ms;
  const auto start = Clock::now();
  try {
    adapters::mysql::Connection conn(silent);
    FAIL() << "connected to a server that never greeted";
  } catch (const ports::StoreUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("no answer within 250 ms"), std::string::npos) << e.what();
  }
  EXPECT_LT(Clock::now() - start, 900ms) << "the library's whole-second connect timeout, not ours";
  ::close(listener);
}

// Work that spent its time in the pool's queue (its work deadline passed or
// near) and finds every connection busy is refused by that deadline, not after
// the store's whole acquire_timeout; work without one waits the whole of it.
TEST_F(MysqlCallDeadline, AFirstWaitForABusyConnectionEndsByTheWorkDeadline) {
  adapters::mysql::MysqlOptions options;
  options.connection = options_;
  options.pool_size = 1;
  options.acquire_timeout = 2000ms;
  auto store = adapters::mysql::open_mysql_store(options);
  auto busy = store->begin(ports::TxMode::Read);  // the only connection
  std::chrono::nanoseconds refused_after{};
  std::thread late_work([&] {
    platform::WorkDeadline::Scope deadline(Clock::now() + 200ms);
    const auto start = Clock::now();
    try {
      store->begin(ports::TxMode::Read);
      ADD_FAILURE() << "a transaction began while the only connection was busy";
    } catch (const ports::StoreUnavailable& e) {
      EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos) << e.what();
    }
    refused_after = Clock::now() - start;
  });
  late_work.join();
  EXPECT_GE(refused_after, 150ms);
  EXPECT_LT(refused_after, 1500ms) << "waited the store's acquire_timeout, not the work's deadline";
  const auto start = Clock::now();
  EXPECT_THROW(store->begin(ports::TxMode::Read), ports::StoreUnavailable);  // no deadline here
  EXPECT_GE(Clock::now() - start, 1900ms);
}

}  // namespace
}  // namespace concert::testing
