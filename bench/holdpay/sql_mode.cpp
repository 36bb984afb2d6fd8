#include "bench/holdpay/sql_mode.hpp"

#include <iostream>

#include "bench/holdpay/sql_run.hpp"
#include "bench/holdpay/sql_setup.hpp"
#include "bench/http/text.hpp"
#include "platform/crypto.hpp"

namespace concert::bench::holdpay {

Outcome measure_database(const HoldPayOptions& o, Clock::time_point deadline) {
  const auto setup_started = Clock::now();
  const auto run_id = platform::random_hex(4);
  const auto open = session_factory(o);
  std::vector<std::unique_ptr<SqlSession>> sessions;
  for (int i = 0; i < o.connections; ++i) {
    sessions.push_back(open());
    sessions.back()->prepare_hold_and_pay();
  }
  const auto sale = insert_sale(*sessions.front(), run_id, o.fans);

  std::vector<SqlFan> fans;
  fans.reserve(sale.seats.size());
  for (std::size_t i = 0; i < sale.seats.size(); ++i) {
    const auto suffix = run_id + "-" + std::to_string(i);
    fans.push_back({"holdpay-" + suffix, sale.seats[i], "hold-" + suffix, "pay-" + suffix});
  }
  std::cout << "set-up: concert " << sale.concert_id << ", schedule " << sale.schedule_id << ", " << fans.size()
            << " seats, " << sessions.size() << " connections in "
            << fixed(std::chrono::duration<double>(Clock::now() - setup_started).count(), 2) << " s" << std::endl;
  return run_sql_fans(std::move(sessions), open, fans, o.statements, deadline);
}

}  // namespace concert::bench::holdpay
