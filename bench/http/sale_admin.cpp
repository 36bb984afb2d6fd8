#include "bench/http/sale_admin.hpp"

#include <algorithm>
#include <stdexcept>

#include "app/views.hpp"

namespace concert::bench {

namespace {

std::string rfc3339_in(std::chrono::seconds from_now) {
  return app::rfc3339(std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now() + from_now));
}

// Rows of 20 (wider for huge venues: the server takes at most 1,000 rows per
// section); the remainder, if any, is a shorter row in a second section.
nlohmann::json layout_of(int seats) {
  const int per_row = std::max(std::min(seats, 20), (seats + 999) / 1000);
  nlohmann::json sections = nlohmann::json::array();
  sections.push_back(
      {{"name", "A"}, {"grade", "R"}, {"price", 99'000}, {"rows", seats / per_row}, {"seatsPerRow", per_row}});
  if (const int rest = seats % per_row; rest > 0) {
    sections.push_back({{"name", "B"}, {"grade", "S"}, {"price", 77'000}, {"rows", 1}, {"seatsPerRow", rest}});
  }
  return sections;
}

Request admin_request(Route route, std::string method, std::string target, std::string body, const std::string& jwt,
                      const SaleSpec& spec) {
  Request r;
  r.route = route;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  r.bearer = jwt;
  r.timeout = spec.request_timeout;
  return r;
}

}  // namespace

void expect_status(const Answer& a, int status, const std::string& what) {
  if (a.status == status) return;
  throw std::runtime_error(
      what + " failed: " +
      (a.status ? "HTTP " + std::to_string(a.status) + " " + a.body : std::string(failure_label(a.failure))));
}

boost::asio::awaitable<CreatedSale> create_sale(HostPool& admin, const std::string& admin_jwt, const SaleSpec& spec) {
  CreatedSale sale;
  const auto concert_body = nlohmann::json{{"title", spec.title}}.dump();
  const auto concert_request =
      admin_request(Route::CreateConcert, "POST", "/api/v1/admin/concerts", concert_body, admin_jwt, spec);
  const Answer concert = co_await admin.send(concert_request);
  expect_status(concert, 201, "creating the concert");
  sale.concert_id = concert.json().value("id", std::int64_t{0});

  // Sales opened a moment ago, so no fan lands in the pre-queue (whose order is
  // drawn at opening) and promotion is plain FIFO.
  const nlohmann::json schedule_json{{"startsAt", rfc3339_in(std::chrono::hours(24 * 30))},
                                     {"salesOpenAt", rfc3339_in(std::chrono::seconds(-5))},
                                     {"salesCloseAt", rfc3339_in(std::chrono::hours(24))},
                                     {"sections", layout_of(spec.seats)},
                                     {"queue",
                                      {{"admitPerSecond", spec.admit_per_second},
                                       {"maxActive", spec.max_active},
                                       {"activeTtlSeconds", spec.active_ttl_seconds}}}};
  const auto schedule_request = admin_request(
      Route::CreateSchedule, "POST", "/api/v1/admin/concerts/" + std::to_string(sale.concert_id) + "/schedules",
      schedule_json.dump(), admin_jwt, spec);
  const Answer schedule = co_await admin.send(schedule_request);
  expect_status(schedule, 201, "creating the schedule");
  const auto created = schedule.json();
  sale.schedule_id = created.value("id", std::int64_t{0});
  sale.max_seats_per_user = created.value("maxSeatsPerUser", 4);

  const auto map_request = admin_request(
      Route::SeatMap, "GET", "/api/v1/schedules/" + std::to_string(sale.schedule_id) + "/seats", "", "", spec);
  const Answer map = co_await admin.send(map_request);
  expect_status(map, 200, "reading the seat map");
  sale.seats = map.json().value("seats", nlohmann::json::array());
  if (sale.seats.size() != static_cast<std::size_t>(spec.seats)) {
    throw std::runtime_error("the schedule has " + std::to_string(sale.seats.size()) + " seats, not " +
                             std::to_string(spec.seats));
  }
  co_return sale;
}

}  // namespace concert::bench
