#include "bench/holdpay/sql_setup.hpp"

#include <chrono>

namespace concert::bench::holdpay {

namespace {

constexpr int kSeatsPerRow = 20;

}  // namespace

SqlSale insert_sale(SqlSession& session, const std::string& run_id, int seats) {
  using std::chrono::hours;
  const auto now = std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now());
  SqlSale sale;
  auto tx = session.begin();
  sale.concert_id = tx->insert_concert("concert-holdpay " + run_id);
  domain::Schedule schedule;
  schedule.concert_id = sale.concert_id;
  schedule.starts_at = now + hours(24 * 30);
  schedule.sales_open_at = now - std::chrono::seconds(5);
  schedule.sales_close_at = now + hours(24);
  sale.schedule_id = tx->insert_schedule(schedule);
  std::vector<ports::NewSeat> layout;
  layout.reserve(static_cast<std::size_t>(seats));
  for (int i = 0; i < seats; ++i) {
    layout.push_back({"A", std::to_string(i / kSeatsPerRow + 1), i % kSeatsPerRow + 1, "R", 99'000});
  }
  tx->insert_seats(sale.schedule_id, layout);
  sale.seats = tx->list_seats(sale.schedule_id);
  tx->commit();
  return sale;
}

}  // namespace concert::bench::holdpay
