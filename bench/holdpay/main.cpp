// concert-holdpay: hold+pay transactions per second of concertd (--url), or of
// the same statements sent straight to the database (--mysql, --sqlite), with
// one distinct seat per fan and --connections at once. See bench/README.md.
// Exit status: 0 every fan held and paid; 1 an error, or nothing completed;
// 2 bad usage or the set-up failed; 3 the run did not stop in time.
#include <iostream>

#include "bench/holdpay/http_mode.hpp"
#include "bench/holdpay/options.hpp"
#include "bench/holdpay/report.hpp"
#include "bench/holdpay/sql_mode.hpp"
#include "bench/holdpay/watchdog.hpp"

namespace concert::bench::holdpay {
namespace {

// Past the deadline, in-flight requests are cancelled and statements end by
// their own timeouts (MariaDB I/O 10 s, lock waits 5 s); beyond this, give up.
constexpr auto kWindDown = std::chrono::seconds(20);

int run(const HoldPayOptions& o) {
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout_seconds));
  const Watchdog watchdog(deadline + kWindDown);
  const Outcome outcome = o.target == Target::Http ? measure_concertd(o, deadline) : measure_database(o, deadline);
  print_report(std::cout, o, outcome);
  return outcome.error_count() == 0 && outcome.completed > 0 ? 0 : 1;
}

}  // namespace
}  // namespace concert::bench::holdpay

int main(int argc, char** argv) {
  const auto parsed = concert::bench::holdpay::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  try {
    return concert::bench::holdpay::run(*parsed.options);
  } catch (const std::exception& e) {
    std::cerr << "concert-holdpay: " << e.what() << "\n";
    return 2;
  }
}
