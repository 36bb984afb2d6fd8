#include "bench/holdpay/sql_session.hpp"

#include <utility>

#include "adapters/mysql/connection.hpp"
#include "adapters/mysql/dialect.hpp"
#include "adapters/sql/sql_tx.hpp"
#include "adapters/sqlite/connection.hpp"
#include "adapters/sqlite/dialect.hpp"

namespace concert::bench::holdpay {

namespace {

namespace sql = adapters::sql;

// concertd's hold_seats as a JDBC application writes it for one seat: the id
// list as placeholders, which the database resolves by primary key.
constexpr std::string_view kHoldOneSeatInList =
    "UPDATE seats SET status = 'HELD', reservation_id = ?, hold_expires_at = ?, version = version + 1 "
    "WHERE id IN (?) AND schedule_id = ? AND status = 'AVAILABLE'";

template <typename Connection>
class SessionOf final : public SqlSession {
 public:
  template <typename... ConnectionArgs>
  SessionOf(const sql::Dialect& dialect, HoldSql hold_sql, ConnectionArgs&&... args)
      : dialect_(dialect), hold_sql_(hold_sql), conn_(std::forward<ConnectionArgs>(args)...) {}

  std::unique_ptr<ports::Tx> begin() override {
    return std::make_unique<sql::SqlTx<Connection>>(conn_, dialect_, ports::TxMode::Write, [] {});
  }

  int hold_seat(ports::Tx& tx, domain::Id schedule_id, domain::Id seat_id, domain::Id reservation_id,
                domain::TimePoint expires_at) override {
    if (hold_sql_ == HoldSql::Concertd) {
      const domain::Id ids[] = {seat_id};
      return tx.hold_seats(schedule_id, ids, reservation_id, expires_at);
    }
    // Same connection, so inside the transaction `tx` began on it.
    auto st = conn_.prepare(kHoldOneSeatInList);
    st.bind_all(reservation_id, sql::ms(expires_at), seat_id, schedule_id).run();
    return st.changes();
  }

  void prepare_hold_and_pay() override {
    const auto& d = dialect_;
    for (const auto text :
         {d.insert_reservation, d.insert_reservation_seat, d.hold_seats, kHoldOneSeatInList, d.insert_event,
          d.insert_payment, d.transition_payment, d.transition_reservation, d.sell_held_seats, d.insert_idempotency,
          d.complete_idempotency, d.lock_fan, d.find_seats_to_hold, d.find_reservation_locked, d.claim_for_payment,
          d.mark_paid}) {
      if (text.empty()) continue;  // SQLite has no fan lock statement
      conn_.prepare(text);  // kept in the connection's statement cache
    }
  }

  bool broken() const override {
    if constexpr (requires(const Connection& c) { c.broken(); }) {
      return conn_.broken();
    } else {
      return false;  // SQLite: a file, nothing to lose
    }
  }

 private:
  const sql::Dialect& dialect_;
  const HoldSql hold_sql_;
  Connection conn_;
};

}  // namespace

SessionFactory session_factory(const HoldPayOptions& o) {
  if (o.target == Target::Sqlite) {
    return [path = o.sqlite_path, hold_sql = o.hold_sql] {
      return std::make_unique<SessionOf<adapters::sqlite::Connection>>(adapters::sqlite::sqlite_dialect(), hold_sql,
                                                                       path);
    };
  }
  adapters::mysql::ConnectionOptions connection;
  connection.endpoint = *adapters::mysql::parse_mysql_url(o.mysql_url);  // checked by parse_options
  connection.implicit_transactions = true;  // as concertd's store: no START TRANSACTION round trip
  return [connection, hold_sql = o.hold_sql] {
    return std::make_unique<SessionOf<adapters::mysql::Connection>>(adapters::mysql::mysql_dialect(), hold_sql,
                                                                    connection);
  };
}

}  // namespace concert::bench::holdpay
