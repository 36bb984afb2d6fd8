#include "bench/rush/report.hpp"

#include <algorithm>
#include <string>

#include "bench/http/text.hpp"

namespace concert::bench::rush {

namespace {

std::string ms_of_us(std::uint64_t us) { return fixed(ms_of(us), 1); }

std::string pad(std::string text, std::size_t width, bool left = false) {
  if (text.size() >= width) return text;
  const std::string fill(width - text.size(), ' ');
  return left ? text + fill : fill + text;
}

// Every status but 2xx/304 with its count, then unanswered requests by reason.
std::string errors_of(const RouteStats& r) {
  std::string out;
  for (const auto& [status, n] : r.statuses) {
    if ((status >= 200 && status < 300) || status == 304) continue;
    out += std::to_string(status) + "x" + std::to_string(n) + " ";
  }
  for (const auto& [failure, n] : r.failures)
    out += std::string(failure_label(failure)) + "x" + std::to_string(n) + " ";
  return out.empty() ? "-" : out;
}

}  // namespace

void print_route_table(std::ostream& out, const StatsBook& stats, std::chrono::duration<double> elapsed) {
  const double seconds = std::max(elapsed.count(), 1e-3);
  out << pad("route", 46, true) << pad("requests", 9) << pad("req/s", 9) << pad("p50 ms", 9) << pad("p95 ms", 9)
      << pad("p99 ms", 9) << pad("max ms", 9) << "  errors by status\n";
  for (std::size_t i = 0; i < kRouteCount; ++i) {
    const auto route = static_cast<Route>(i);
    const auto& r = stats.of(route);
    if (r.requests == 0) continue;
    const auto& h = r.latency_us;
    out << pad(std::string(route_label(route)), 46, true) << pad(std::to_string(r.requests), 9)
        << pad(fixed(static_cast<double>(r.requests) / seconds, 1), 9) << pad(ms_of_us(h.percentile(50)), 9)
        << pad(ms_of_us(h.percentile(95)), 9) << pad(ms_of_us(h.percentile(99)), 9) << pad(ms_of_us(h.max()), 9) << "  "
        << errors_of(r) << "\n";
  }
}

void print_sale_summary(std::ostream& out, const RushOptions& o, const SaleOutcome& sale, std::uint64_t count_5xx) {
  const auto& c = sale.counters;
  const auto line = [&out](const char* what, const std::string& value) {
    out << "  " << pad(what, 22, true) << value << "\n";
  };
  out << "sale: " << o.users << " fans, " << o.seats << " seats, " << o.urls.size() << " instance(s), "
      << fixed(sale.elapsed.count(), 1) << " s" << (sale.hit_deadline ? " (stopped at --duration)" : "") << "\n";
  double admission_rate = 0;
  if (c.first_admission && c.last_admission && *c.last_admission > *c.first_admission) {
    admission_rate = static_cast<double>(c.admitted - 1) /
                     std::chrono::duration<double>(*c.last_admission - *c.first_admission).count();
  }
  line("fans arrived", std::to_string(c.fans_started) + " (in the queue: " + std::to_string(c.entered) + ")");
  line("admissions", std::to_string(c.admitted) + " (" + fixed(admission_rate, 1) + "/s seen, limit " +
                         std::to_string(o.admit_per_second) + "/s)");
  line("queue wait", "mean " + fixed(c.queue_wait_ms.mean() / 1000.0, 2) + " s, p95 " +
                         fixed(static_cast<double>(c.queue_wait_ms.percentile(95)) / 1000.0, 2) + " s, max " +
                         fixed(static_cast<double>(c.queue_wait_ms.max()) / 1000.0, 2) + " s");
  line("holds", std::to_string(c.holds) + " (seat-taken collisions " + std::to_string(c.seat_taken) + ", gave up " +
                    std::to_string(c.gave_up) + ")");
  line("sales", std::to_string(c.sales) + (c.declined ? " (declined " + std::to_string(c.declined) + ")" : ""));
  line("expiries", std::to_string(c.abandoned + c.hold_expired_on_pay) + " (abandoned " + std::to_string(c.abandoned) +
                       ", 410 on payment " + std::to_string(c.hold_expired_on_pay) + ")");
  line("cancels", std::to_string(c.cancels));
  line("refunds", std::to_string(c.refunds));
  line("double clicks",
       std::to_string(c.duplicate_clicks) + " (same-key resends " + std::to_string(c.key_retries) + ")");
  line("sold out after",
       sale.sold_out_after ? fixed(sale.sold_out_after->count(), 1) + " s" : std::string("not sold out"));
  line("5xx answers", std::to_string(count_5xx));
  if (c.fan_errors) line("fan errors", std::to_string(c.fan_errors) + " (a bug in concert-rush)");
}

}  // namespace concert::bench::rush
