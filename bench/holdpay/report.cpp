#include "bench/holdpay/report.hpp"

#include <algorithm>
#include <string>

#include "bench/http/text.hpp"

namespace concert::bench::holdpay {

namespace {

std::string latency_line(const LogHistogram& h) {
  if (h.count() == 0) return "-";
  return "p50 " + fixed(ms_of(h.percentile(50)), 2) + " ms, p95 " + fixed(ms_of(h.percentile(95)), 2) + " ms, p99 " +
         fixed(ms_of(h.percentile(99)), 2) + " ms, max " + fixed(ms_of(h.max()), 2) + " ms";
}

}  // namespace

void print_report(std::ostream& out, const HoldPayOptions& o, const Outcome& r) {
  const double seconds = std::max(r.elapsed.count(), 1e-6);
  const double tps = static_cast<double>(r.completed) / seconds;
  const auto line = [&out](std::string what, const std::string& value) {
    what.resize(std::max<std::size_t>(what.size(), 14), ' ');
    out << "  " << what << value << "\n";
  };
  out << "hold+pay on " << describe_target(o) << "\n";
  line("fans", std::to_string(o.fans));
  line("connections", std::to_string(o.connections));
  line("elapsed", fixed(r.elapsed.count(), 2) + " s");
  line("hold+pay/s", fixed(tps, 1) + " (" + std::to_string(r.completed) + " completed)");
  line("hold", latency_line(r.hold_us));
  line("pay", latency_line(r.pay_us));
  if (r.errors.empty()) {
    line("errors", "none");
  } else {
    line("errors", std::to_string(r.error_count()));
    for (const auto& [label, count] : r.errors) out << "    " << count << " x " << label << "\n";
  }
  out << "RESULT holdpay_tps=" << fixed(tps, 1) << " completed=" << r.completed << " errors=" << r.error_count()
      << " hold_p99_ms=" << fixed(ms_of(r.hold_us.percentile(99)), 2)
      << " pay_p99_ms=" << fixed(ms_of(r.pay_us.percentile(99)), 2) << std::endl;
}

}  // namespace concert::bench::holdpay
