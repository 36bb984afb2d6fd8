#include "bootstrap/gateway.hpp"

#include <filesystem>

#include "adapters/payments/http_gateway.hpp"
#include "adapters/payments/sandbox_gateway.hpp"

namespace concert::bootstrap {

namespace {

domain::Result<std::unique_ptr<ports::PaymentGateway>> open_http_gateway(const platform::Config& c) {
  auto endpoint = platform::parse_http_url(c.pg_url);
  if (!endpoint)
    return tl::unexpected(domain::Error{endpoint.error().code, "CONCERTD_PG_URL: " + endpoint.error().detail});
  if (c.pg_secret.empty()) {
    return domain::fail(
        domain::ErrorCode::InvalidInput,
        "CONCERTD_PG_URL is set but no gateway secret: set CONCERTD_PG_SECRET or CONCERTD_PG_SECRET_FILE");
  }
  // A PENDING payment is looked up (and marked FAILED if never seen) only once
  // every attempt of its charge must have ended, or the reconciler could fail a
  // payment whose charge is still on its way.
  const long long worst_call_ms = static_cast<long long>(c.pg_attempts) * c.pg_timeout_ms +
                                  (static_cast<long long>(c.pg_backoff_ms) << std::min(c.pg_attempts, 11));
  if (c.reconcile_after_ms <= worst_call_ms) {
    return domain::fail(domain::ErrorCode::InvalidInput, "reconcile_after_ms (" + std::to_string(c.reconcile_after_ms) +
                                                             ") must exceed the longest a gateway call can take (" +
                                                             std::to_string(worst_call_ms) +
                                                             " ms: pg_attempts x pg_timeout_ms plus the backoffs)");
  }
  adapters::payments::HttpGatewayOptions options;
  options.endpoint = *endpoint;
  options.secret = c.pg_secret;
  options.http.connect_timeout = std::chrono::milliseconds(c.pg_connect_timeout_ms);
  options.http.total_timeout = std::chrono::milliseconds(c.pg_timeout_ms);
  options.http.max_idle_connections = static_cast<std::size_t>(c.payment_threads);
  options.attempts = c.pg_attempts;
  options.backoff = std::chrono::milliseconds(c.pg_backoff_ms);
  options.breaker = {c.pg_breaker_failures, std::chrono::milliseconds(c.pg_breaker_open_ms)};
  return std::make_unique<adapters::payments::HttpGateway>(std::move(options));
}

}  // namespace

domain::Result<std::unique_ptr<ports::PaymentGateway>> open_gateway(const platform::Config& c) {
  if (!c.pg_url.empty()) return open_http_gateway(c);
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec)
    return domain::fail(domain::ErrorCode::Unavailable, "cannot create data dir " + c.data_dir + ": " + ec.message());
  // On the local profile each instance has its own sandbox and ledger: a stand-in
  // for trying the profile out; a fleet shares one gateway (CONCERTD_PG_URL).
  return std::make_unique<adapters::payments::SandboxGateway>(
      adapters::payments::SandboxRules{c.sandbox_decline_over_amount, std::chrono::milliseconds(c.sandbox_latency_ms)},
      sandbox_ledger_path(c));
}

std::string sandbox_ledger_path(const platform::Config& c) {
  return c.pg_url.empty() ? c.data_dir + "/sandbox-gateway.jsonl" : std::string();
}

}  // namespace concert::bootstrap
