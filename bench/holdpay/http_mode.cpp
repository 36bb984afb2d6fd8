#include "bench/holdpay/http_mode.hpp"

#include <algorithm>
#include <iostream>

#include "bench/holdpay/http_fans.hpp"
#include "bench/holdpay/http_run.hpp"
#include "bench/http/run_sync.hpp"
#include "bench/http/sale_admin.hpp"
#include "bench/http/text.hpp"
#include "platform/crypto.hpp"
#include "platform/jwt.hpp"

namespace concert::bench::holdpay {

Outcome measure_concertd(const HoldPayOptions& o, Clock::time_point deadline) {
  const auto setup_started = Clock::now();
  const auto run_id = platform::random_hex(4);
  const auto request_timeout = std::chrono::milliseconds(o.request_timeout_ms);
  boost::asio::io_context ioc(1);
  StatsBook stats;  // HostPool's per-route book; the report reads the workers' own Outcome
  HostPool pool(ioc, *parse_base_url(o.url), o.connections, stats, "concert-holdpay");

  // Everyone is admitted at once and stays ACTIVE for the whole run.
  SaleSpec spec;
  spec.title = "concert-holdpay " + run_id;
  spec.seats = o.fans;
  spec.admit_per_second = 100'000;
  spec.max_active = o.fans;
  spec.active_ttl_seconds = static_cast<int>(std::min(o.timeout_seconds + 600, 1'000'000.0));
  spec.request_timeout = request_timeout;
  const auto admin_jwt = platform::mint_token(o.jwt_secret, "concert-holdpay-" + run_id, "admin", std::chrono::hours(6),
                                              std::chrono::system_clock::now());
  const auto sale = run_sync(ioc, create_sale(pool, admin_jwt, spec));

  auto fans = make_fans(o.jwt_secret, run_id, sale.seats);
  admit_fans(ioc, {pool, sale.schedule_id, o.connections, request_timeout, deadline}, fans);
  std::cout << "set-up: concert " << sale.concert_id << ", schedule " << sale.schedule_id << ", " << fans.size()
            << " fans ACTIVE in " << fixed(std::chrono::duration<double>(Clock::now() - setup_started).count(), 2)
            << " s" << std::endl;

  return run_holds_and_payments(ioc, {pool, sale.schedule_id, run_id, o.connections, request_timeout, deadline}, fans);
}

}  // namespace concert::bench::holdpay
