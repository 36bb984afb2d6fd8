#include "bench/rush/history_step.hpp"

#include "audit/history.hpp"
#include "audit/sources.hpp"

namespace concert::bench::rush {

namespace {

constexpr std::size_t kShownPerRule = 20;

void print_rule(std::ostream& out, const audit::InvariantReport& report, const char* rule) {
  const auto found = report.of(rule);
  if (found.empty()) return;
  out << "history " << rule << " VIOLATED (" << found.size() << ")\n";
  for (std::size_t i = 0; i < found.size() && i < kShownPerRule; ++i) out << "    " << found[i].detail << "\n";
  if (found.size() > kShownPerRule) out << "    ... and " << found.size() - kShownPerRule << " more\n";
}

}  // namespace

bool check_history_and_print(std::ostream& out, const RushOptions& o, ports::Store& store) {
  const auto history = audit::read_history_file(o.history);
  if (!history) {
    out << "history not checked: " << history.error().detail << "\n";
    return false;
  }
  audit::HistoryInputs in;
  in.history = &*history;
  in.store = &store;
  if (!o.events.empty()) {
    // Read again rather than shared with I4: the order matters here, and a
    // second read of the sink costs far less than the sale did.
    auto published = audit::read_published_sequence(o.events, o.redis_prefix);
    if (!published) {
      out << "history not checked: cannot read the events: " << published.error().detail << "\n";
      return false;
    }
    in.published = std::move(*published);
  }
  const auto verdict = audit::check_history(in);
  for (const char* rule : {"acknowledged", "failed", "unexplained", "events"}) print_rule(out, verdict.report, rule);
  out << "history: " << verdict.exchanges << " exchanges recorded, " << verdict.acknowledged_writes
      << " acknowledged writes checked, " << verdict.failed_writes << " failed writes checked, " << verdict.events
      << (o.events.empty() ? " events (not compared: no --events)" : " events in order") << ", "
      << verdict.report.violations.size() << " violations\n";
  return verdict.report.ok();
}

}  // namespace concert::bench::rush
