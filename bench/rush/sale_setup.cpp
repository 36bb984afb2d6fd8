#include "bench/rush/sale_setup.hpp"

#include "bench/http/sale_admin.hpp"

namespace concert::bench::rush {

boost::asio::awaitable<Sale> set_up_sale(HostPool& admin, const std::string& admin_jwt, const RushOptions& o,
                                         const std::string& run_id) {
  SaleSpec spec;
  spec.title = "concert-rush " + run_id;
  spec.seats = o.seats;
  spec.admit_per_second = o.admit_per_second;
  spec.max_active = o.max_active;
  spec.active_ttl_seconds = o.active_ttl_seconds;
  spec.request_timeout = std::chrono::milliseconds(o.request_timeout_ms);
  const CreatedSale created = co_await create_sale(admin, admin_jwt, spec);
  Sale sale;
  sale.concert_id = created.concert_id;
  sale.schedule_id = created.schedule_id;
  sale.max_seats_per_user = created.max_seats_per_user;
  sale.ranking = SeatRanking::from_seat_list(created.seats);
  co_return sale;
}

}  // namespace concert::bench::rush
