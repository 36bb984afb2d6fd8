// The raw SQL baseline's sale, written straight into the database before the
// clock starts: a concert, one schedule on sale now and `seats` AVAILABLE seats.
#pragma once

#include <string>
#include <vector>

#include "bench/holdpay/sql_session.hpp"
#include "domain/types.hpp"

namespace concert::bench::holdpay {

struct SqlSale {
  domain::Id concert_id = 0;
  domain::Id schedule_id = 0;
  std::vector<domain::Seat> seats;  // by id
};

SqlSale insert_sale(SqlSession& session, const std::string& run_id, int seats);

}  // namespace concert::bench::holdpay
