// concert-rush: plays a whole ticket rush against running concertd instances,
// prints what each route and the sale did, then checks SPEC §5 invariants.
// Exit status: 0 all good; 1 a violation, a 5xx, or nothing sold; 2 bad usage
// or the sale could not be set up or checked; 3 the tool failed to stop.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include "audit/sources.hpp"
#include "bench/http/host_pool.hpp"
#include "bench/http/run_sync.hpp"
#include "bench/rush/admission_log.hpp"
#include "bench/rush/audit_step.hpp"
#include "bench/rush/history_recorder.hpp"
#include "bench/rush/history_step.hpp"
#include "bench/rush/options.hpp"
#include "bench/rush/report.hpp"
#include "bench/rush/sale_run.hpp"
#include "bench/rush/sale_setup.hpp"
#include "platform/crypto.hpp"
#include "platform/jwt.hpp"

namespace concert::bench::rush {
namespace {

struct Checked {
  std::unique_ptr<ports::Store> store;
  Settled settled;
  AdmissionLog admissions;
};

int run(const RushOptions& o) {
  const auto started = Clock::now();
  const auto deadline =
      started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_seconds));
  for (const auto& url : o.urls) {
    if (!parse_base_url(url)) {
      std::cerr << "concert-rush: --url " << url << " is not http://HOST:PORT\n";
      return 2;
    }
  }
  const auto run_id = platform::random_hex(4);
  const auto admin_jwt = platform::mint_token(o.jwt_secret, "concert-rush-" + run_id, "admin", std::chrono::hours(6),
                                              std::chrono::system_clock::now());
  // Set-up and the admission log go through their own small client, before and
  // after the fans' IO threads run.
  boost::asio::io_context admin_ioc(1);
  StatsBook admin_stats;
  HostPool admin(admin_ioc, *parse_base_url(o.urls.front()), 2, admin_stats, "concert-rush");
  const auto sale = run_sync(admin_ioc, set_up_sale(admin, admin_jwt, o, run_id));
  std::cout << "run " << run_id << ": concert " << sale.concert_id << ", schedule " << sale.schedule_id << ", "
            << o.users << " fans for " << o.seats << " seats on " << o.urls.size() << " instance(s)" << std::endl;

  std::unique_ptr<HistoryRecorder> history;
  if (!o.history.empty()) {
    history = std::make_unique<HistoryRecorder>(o.history, deadline);
    if (!history->ok()) {
      std::cerr << "concert-rush: cannot write the history " << o.history << "\n";
      return 2;
    }
  }
  const auto outcome = run_sale(o, sale, run_id, deadline, history.get());
  if (history && !history->close()) {
    std::cerr << "concert-rush: writing the history " << o.history << " failed\n";
    return 2;
  }

  Checked checked;
  if (!o.db.empty()) {
    auto store = audit::open_store(o.db);
    if (!store) {
      std::cerr << "concert-rush: " << store.error().detail << "\n";
      return 2;
    }
    checked.store = std::move(*store);
    checked.settled = settle(*checked.store, sale.schedule_id, std::chrono::duration<double>(o.settle_seconds));
    const auto log_read_by = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(std::max(2.0, o.settle_seconds)));
    checked.admissions = run_sync(admin_ioc, fetch_admission_log(admin, admin_jwt, sale.schedule_id, log_read_by));
  }

  StatsBook totals = admin_stats;
  totals.merge(outcome.stats);
  // With a faulty gateway, 503s (gateway-unavailable, retried by the fans) are
  // the product doing its job; every other 5xx still fails the run.
  const auto count_5xx = totals.count_5xx();
  const auto failing_5xx = o.allow_503 ? count_5xx - totals.count_status(503) : count_5xx;
  print_route_table(std::cout, totals, outcome.elapsed);
  print_sale_summary(std::cout, o, outcome, count_5xx);
  bool ok = failing_5xx == 0 && outcome.counters.fan_errors == 0;
  if (outcome.counters.sales == 0) {
    std::cout << "nothing was sold: this run proves nothing\n";
    ok = false;
  }
  if (!checked.store) {
    std::cout << "invariants not checked: no --db\n";
    if (history) std::cout << "history: " << history->recorded() << " exchanges recorded, not checked: no --db\n";
  } else {
    const auto& s = checked.settled;
    std::cout << "settled in " << std::fixed << std::setprecision(2) << s.waited.count() << " s ("
              << s.unpublished_events << " events unpublished, " << s.expired_holds << " expired holds not yet swept, "
              << s.unsettled_payments << " payments not yet settled)\n";
    ok = check_invariants_and_print(std::cout, o, *checked.store, sale.schedule_id, checked.admissions) && ok;
    if (history) ok = check_history_and_print(std::cout, o, *checked.store) && ok;
    if (s.unsettled_payments > 0) {
      // Lost answers are the reconciler's to settle within --settle; one left is a payment nobody finishes.
      std::cout << s.unsettled_payments << " payments still PENDING, REFUND_PENDING or VOID_PENDING after the wait\n";
      ok = false;
    }
  }
  std::cout << (ok ? "PASS" : "FAIL") << std::endl;
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace concert::bench::rush

int main(int argc, char** argv) {
  const auto parsed = concert::bench::rush::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  try {
    return concert::bench::rush::run(*parsed.options);
  } catch (const std::exception& e) {
    std::cerr << "concert-rush: " << e.what() << "\n";
    return 2;
  }
}
