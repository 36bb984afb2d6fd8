// The MariaDB store's connections run with autocommit off, so a transaction
// begins with its first statement (no START TRANSACTION round trip). Each one
// must still end what it began: a pooled connection never carries an open
// transaction, or its old snapshot, into the next.
#include "adapters/mysql/connection.hpp"
#include "adapters/mysql/mysql_store.hpp"
#include "support/app_fixture.hpp"
#include "support/backends.hpp"

namespace concert::testing {
namespace {

using ports::TxMode;

class MysqlTransactionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CONCERT_REQUIRE_BACKEND(AdapterKind::MariaDb);
    adapters::mysql::MysqlOptions options;
    options.connection = private_database(database_);
    connection_ = options.connection;
    options.pool_size = 1;  // every transaction of a store reuses one connection
    a_ = adapters::mysql::open_mysql_store(options);
    b_ = adapters::mysql::open_mysql_store(options);
    auto tx = a_->begin(TxMode::Write);
    tx->insert_concert("first");
    tx->commit();
  }

  std::size_t concerts_seen_by(ports::Store& store) { return store.begin(TxMode::Read)->list_concerts().size(); }
  void add_concert(ports::Store& store, const std::string& title) {
    auto tx = store.begin(TxMode::Write);
    tx->insert_concert(title);
    tx->commit();
  }

  std::shared_ptr<void> database_;
  adapters::mysql::ConnectionOptions connection_;
  std::unique_ptr<ports::Store> a_, b_;
};

// SPEC §3's states, REFUND_PENDING and VOID_PENDING included, are the only ones a
// status column takes, whoever writes the row (schema/mysql/006's CHECKs).
TEST_F(MysqlTransactionsTest, StatusColumnsTakeOnlyTheStatesOfTheSpec) {
  auto tx = a_->begin(TxMode::Write);
  const auto concert = tx->insert_concert("checks");
  domain::Schedule s;
  s.concert_id = concert;
  const auto schedule = tx->insert_schedule(s);
  tx->insert_seats(schedule, std::vector<ports::NewSeat>{{"A", "1", 1, "R", 50'000}});
  const auto seat = tx->list_seats(schedule).at(0).id;
  tx->commit();
  adapters::mysql::Connection raw(connection_);
  const auto set = [&](const std::string& status) {
    raw.exec("UPDATE seats SET status = '" + status + "' WHERE id = " + std::to_string(seat));
  };
  EXPECT_NO_THROW(set("SOLD"));
  EXPECT_THROW(set("RESERVED"), ports::StoreUnavailable);
  EXPECT_THROW(raw.exec("INSERT INTO payments_main (reservation_id, user_id, amount, status, idempotency_key, "
                        "created_at, updated_at) VALUES (1, 'u', 1, 'REFUNDING', 'k', 0, 0)"),
               ports::StoreUnavailable);
  auto count = raw.prepare(
      "SELECT COUNT(*) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND "
      "CHECK_CLAUSE LIKE '%VOID_PENDING%' AND CHECK_CLAUSE LIKE '%REFUND_PENDING%'");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.int64(0), 1);
}

TEST_F(MysqlTransactionsTest, AReadEndedWithoutCommitLeavesNoSnapshotBehind) {
  {
    auto tx = a_->begin(TxMode::Read);
    ASSERT_EQ(tx->list_concerts().size(), 1u);  // the snapshot is taken here
  }
  add_concert(*b_, "second");
  EXPECT_EQ(concerts_seen_by(*a_), 2u);
}

TEST_F(MysqlTransactionsTest, CommittedWritesAreSeenByTheOtherConnectionBothWays) {
  add_concert(*a_, "by a");
  EXPECT_EQ(concerts_seen_by(*b_), 2u);
  add_concert(*b_, "by b");
  EXPECT_EQ(concerts_seen_by(*a_), 3u);
}

TEST_F(MysqlTransactionsTest, AWriteEndedWithoutCommitIsRolledBack) {
  {
    auto tx = a_->begin(TxMode::Write);
    tx->insert_concert("never committed");
  }
  EXPECT_EQ(concerts_seen_by(*b_), 1u);
  EXPECT_EQ(concerts_seen_by(*a_), 1u);
}

}  // namespace
}  // namespace concert::testing
