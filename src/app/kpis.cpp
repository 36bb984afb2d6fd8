#include "app/kpis.hpp"

#include <cctype>
#include <stdexcept>

namespace concert::app {

const std::vector<double>& queue_wait_buckets() {
  static const std::vector<double> kBuckets{1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600};
  return kBuckets;
}

Kpis::Kpis(platform::Registry& r)
    : registry(r),
      promotions(r.counter("concertd_queue_promotions_total", "Fans promoted from WAITING to ACTIVE", {})),
      queue_wait_seconds(r.histogram("concertd_queue_wait_seconds", "Time from entering the queue to promotion", {},
                                     queue_wait_buckets())),
      holds_created(r.counter("concertd_holds_total", "Seat holds created", {})),
      holds_expired(r.counter("concertd_holds_expired_total", "Seat holds that expired unpaid", {})),
      payments_approved(r.counter("concertd_payments_total", "Payments by outcome", {{"outcome", "approved"}})),
      payments_failed(r.counter("concertd_payments_total", "Payments by outcome", {{"outcome", "failed"}})),
      idempotency_requests(r.counter("concertd_idempotent_requests_total", "Requests carrying an Idempotency-Key", {})),
      idempotency_conflicts(r.counter("concertd_idempotency_conflicts_total",
                                      "Idempotency-Key reused with another body or still in flight", {})),
      events_published(r.counter("concertd_outbox_published_total", "Outbox events published to the sink", {})),
      oldest_unsettled_seconds(r.gauge("concertd_payments_oldest_unsettled_seconds",
                                       "Age of the oldest payment in a *_PENDING state, seen by the reconciler", {})),
      oldest_unpublished_seconds(r.gauge("concertd_outbox_oldest_unpublished_seconds",
                                         "Age of the oldest outbox event not yet published, seen by the relay", {})),
      ready(r.gauge("concertd_ready", "1 while this instance is ready (its /readyz answers 200)", {})) {
  for (std::size_t i = 0; i < violations_.size(); ++i) {
    violations_[i] = &r.counter("concertd_invariant_violations_total",
                                "SPEC section 5 invariant violations the continuous auditor found, each once",
                                {{"invariant", "I" + std::to_string(i + 1)}});
  }
  // Resolved once, so a gateway call costs two atomic adds.
  static constexpr const char* kCallNames[kCalls] = {"charge", "refund", "lookup"};
  static constexpr const char* kOutcomeNames[kOutcomes] = {"approved", "declined", "unknown", "unavailable",
                                                           "not_found"};
  for (std::size_t c = 0; c < kCalls; ++c) {
    for (std::size_t o = 0; o < kOutcomes; ++o) {
      gateway_calls_[c][o] = &r.counter("concertd_gateway_calls_total", "Calls to the payment gateway by outcome",
                                        {{"call", kCallNames[c]}, {"outcome", kOutcomeNames[o]}});
    }
    gateway_seconds_[c] = &r.histogram("concertd_gateway_call_seconds", "Payment gateway calls, retries included",
                                       {{"call", kCallNames[c]}}, platform::default_latency_buckets());
  }
}

void Kpis::gateway_call(GatewayCall call, ports::GatewayOutcome outcome, std::chrono::steady_clock::duration took) {
  const auto c = static_cast<std::size_t>(call);
  gateway_calls_[c][static_cast<std::size_t>(outcome)]->inc();
  gateway_seconds_[c]->observe(std::chrono::duration<double>(took).count());
}

platform::Counter& Kpis::reconciled(domain::PaymentStatus outcome) {
  std::string label(to_string(outcome));
  for (auto& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return registry.counter("concertd_payments_reconciled_total", "Payments the reconciler settled, by the state it left",
                          {{"outcome", label}});
}

platform::Counter& Kpis::invariant_violations(const std::string& invariant) {
  const auto n = invariant.size() == 2 && invariant[0] == 'I' ? invariant[1] - '1' : -1;
  if (n < 0 || n >= static_cast<int>(violations_.size())) throw std::logic_error("unknown invariant " + invariant);
  return *violations_[static_cast<std::size_t>(n)];
}

}  // namespace concert::app
