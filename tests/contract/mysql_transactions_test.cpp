// The MariaDB store's connections run with autocommit off, so a transaction
// begins with its first statement (no START TRANSACTION round trip). Each one
// must still end what it began: a pooled connection never carries an open
// transaction, or its old snapshot, into the next.
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
  std::unique_ptr<ports::Store> a_, b_;
};

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
