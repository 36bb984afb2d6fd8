#include "pgsim/api.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "pgsim/answers.hpp"
#include "platform/crypto.hpp"
#include "platform/logging.hpp"

namespace concert::pgsim {

namespace {

namespace net = boost::asio;
using net::awaitable;

constexpr std::size_t kMaxKeyLength = 300;  // Toss' limit on Idempotency-Key
constexpr std::size_t kMaxIdLength = 64;    // orderId and paymentKey
constexpr std::size_t kMaxReasonLength = 200;

http::Response invalid(const std::string& message) { return toss_error(400, "INVALID_REQUEST", message); }
http::Response not_found_payment() { return toss_error(404, "NOT_FOUND_PAYMENT", "no payment under this key"); }

struct Route {
  enum Kind { Confirm, Cancel, Lookup } kind;
  std::string param;  // Cancel: the paymentKey; Lookup: the orderId (percent-decoded)
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int high = hex_digit(s[i + 1]);
    const int low = hex_digit(s[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// The gateway's three endpoints; nullopt for anything else.
std::optional<Route> match(const std::string& method, const std::string& path) {
  constexpr std::string_view prefix = "/v1/payments/";
  if (!path.starts_with(prefix)) return std::nullopt;
  const std::string_view rest = std::string_view(path).substr(prefix.size());
  if (method == "POST" && rest == "confirm") return Route{Route::Confirm, ""};
  constexpr std::string_view orders = "orders/";
  constexpr std::string_view cancel = "/cancel";
  std::string_view param;
  Route::Kind kind;
  if (method == "GET" && rest.starts_with(orders)) {
    param = rest.substr(orders.size());
    kind = Route::Lookup;
  } else if (method == "POST" && rest.ends_with(cancel)) {
    param = rest.substr(0, rest.size() - cancel.size());
    kind = Route::Cancel;
  } else {
    return std::nullopt;
  }
  if (param.empty() || param.find('/') != std::string_view::npos) return std::nullopt;
  auto decoded = percent_decode(param);
  if (!decoded || decoded->empty() || decoded->size() > kMaxIdLength) return std::nullopt;
  return Route{kind, std::move(*decoded)};
}

// A JSON object body, or the 400 to answer.
tl::expected<nlohmann::json, http::Response> object_body(const http::Request& request) {
  auto j = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return tl::unexpected(invalid("the body must be a JSON object"));
  return j;
}

tl::expected<std::string, http::Response> string_field(const nlohmann::json& body, const char* name,
                                                       std::size_t max_length) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty() ||
      it->get_ref<const std::string&>().size() > max_length) {
    return tl::unexpected(
        invalid(std::string(name) + " must be a string of 1 to " + std::to_string(max_length) + " characters"));
  }
  return it->get<std::string>();
}

// An integer field >= `min`; nullopt when absent and not `required`.
tl::expected<std::optional<std::int64_t>, http::Response> amount_field(const nlohmann::json& body, const char* name,
                                                                       std::int64_t min, bool required) {
  const auto it = body.find(name);
  if (it == body.end() && !required) return std::optional<std::int64_t>{};
  if (it == body.end() || !it->is_number_integer() || it->get<std::int64_t>() < min) {
    return tl::unexpected(invalid(std::string(name) + " must be an integer of at least " + std::to_string(min)));
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

tl::expected<std::string, http::Response> idempotency_key(const http::Request& request) {
  const auto key = request.header("Idempotency-Key");
  if (!key || key->empty() || key->size() > kMaxKeyLength) {
    return tl::unexpected(invalid("an Idempotency-Key header of 1 to 300 characters is required"));
  }
  return *key;
}

// metadata.paymentId as concertd sends it ("42"; a JSON integer is taken too).
std::optional<std::int64_t> payment_id_of(const std::string& metadata) {
  const auto j = nlohmann::json::parse(metadata, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("paymentId")) return std::nullopt;
  const auto& id = j["paymentId"];
  if (id.is_number_integer()) return id.get<std::int64_t>();
  if (!id.is_string()) return std::nullopt;
  const auto& text = id.get_ref<const std::string&>();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

Api::Api(ApiSettings settings, Ledger& ledger, Faults& faults, http::BlockingPool& pool, WebhookSender* webhooks)
    : settings_(std::move(settings)),
      expected_authorization_("Basic " + platform::base64_encode(settings_.secret + ":")),
      ledger_(ledger),
      faults_(faults),
      pool_(pool),
      webhooks_(webhooks) {}

bool Api::authorized(const http::Request& request) const {
  const auto given = request.header("Authorization");
  return given && platform::constant_time_equals(*given, expected_authorization_);
}

awaitable<void> Api::pause(std::chrono::milliseconds duration) {
  if (duration.count() <= 0) co_return;
  // In slices, so stop() ends a long wait (a held lost answer) within one.
  constexpr std::chrono::milliseconds slice{50};
  net::steady_timer timer(co_await net::this_coro::executor);
  const auto end = std::chrono::steady_clock::now() + duration;
  for (auto now = std::chrono::steady_clock::now(); !stopping_ && now < end; now = std::chrono::steady_clock::now()) {
    timer.expires_after(std::min<std::chrono::steady_clock::duration>(end - now, slice));
    co_await timer.async_wait(net::use_awaitable);
  }
}

awaitable<http::Response> Api::handle(http::Request request) {
  const auto path = request.path();
  try {
    if (request.method == "GET" && path == "/healthz") {
      http::Response up;
      up.body = R"({"status":"UP"})";
      co_return up;
    }
    if (request.method == "GET" && path == "/ledger") co_return co_await ledger_list();
    co_return co_await gateway_call(request);
  } catch (const std::exception& e) {
    platform::log_json(spdlog::level::err, {{"msg", "request failed"}, {"path", path}, {"error", e.what()}});
  }
  co_return toss_error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "the simulator failed to handle the request");
}

awaitable<http::Response> Api::gateway_call(const http::Request& request) {
  const auto route = match(request.method, request.path());
  if (!route) co_return toss_error(404, "NOT_FOUND", "no such endpoint");
  if (!authorized(request)) {
    co_return toss_error(401, "UNAUTHORIZED_KEY", "the Authorization header does not carry this gateway's secret");
  }
  const auto faults = faults_.for_request();
  co_await pause(faults.delay);
  if (faults.fail) {
    platform::log_json(spdlog::level::info, {{"msg", "error injected (--error-rate)"}, {"path", request.path()}});
    co_return toss_error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "simulated gateway failure (--error-rate)");
  }
  http::Response response;
  switch (route->kind) {
    case Route::Confirm:
      response = co_await confirm(request);
      break;
    case Route::Cancel:
      response = co_await cancel(request, route->param);
      break;
    case Route::Lookup:
      co_return co_await lookup(route->param);
  }
  if (faults.lose_answer) {
    platform::log_json(spdlog::level::info, {{"msg", "answer lost (--lost-answer-rate)"},
                                             {"path", request.path()},
                                             {"status", response.status},
                                             {"holdMs", settings_.lost_answer_hang.count()}});
    co_await pause(settings_.lost_answer_hang);
    response = {};
    response.close_without_answer = true;
  }
  co_return response;
}

awaitable<http::Response> Api::confirm(const http::Request& request) {
  auto key = idempotency_key(request);
  if (!key) co_return key.error();
  auto body = object_body(request);
  if (!body) co_return body.error();
  auto order_id = string_field(*body, "orderId", kMaxIdLength);
  if (!order_id) co_return order_id.error();
  auto amount = amount_field(*body, "amount", 0, /*required=*/true);
  if (!amount) co_return amount.error();
  std::string metadata = "{}";
  if (const auto it = body->find("metadata"); it != body->end()) {
    if (!it->is_object()) co_return invalid("metadata must be a JSON object");
    metadata = it->dump();
  }

  const ChargeRequest charge{*key, *order_id, **amount, metadata};
  Verdict verdict;
  if (charge.amount > settings_.decline_over) {
    verdict = {"REJECT_CARD_PAYMENT",
               "the card company declined the payment (over " + std::to_string(settings_.decline_over) + ")"};
  }
  const auto payment_key = "pgsim_" + platform::random_hex(16);
  auto work = [&] { return ledger_.charge(charge, verdict, payment_key, std::chrono::system_clock::now()); };
  const auto result = co_await pool_.run(work);
  switch (result.status) {
    case ChargeStatus::OrderTaken:
      co_return toss_error(409, "ALREADY_PROCESSED_PAYMENT",
                           "order " + charge.order_id + " was charged under another Idempotency-Key");
    case ChargeStatus::Recorded:
      platform::log_json(spdlog::level::info, {{"msg", "charge"},
                                               {"idempotencyKey", charge.idempotency_key},
                                               {"orderId", charge.order_id},
                                               {"amount", charge.amount},
                                               {"gatewayTxId", result.payment.payment_key},
                                               {"outcome", result.payment.approved() ? "APPROVED" : "DECLINED"}});
      report_charge(result.payment);
      break;
    case ChargeStatus::Replayed:
      break;
  }
  co_return charge_answer(result.payment);
}

awaitable<http::Response> Api::cancel(const http::Request& request, const std::string& payment_key) {
  auto key = idempotency_key(request);
  if (!key) co_return key.error();
  auto body = object_body(request);
  if (!body) co_return body.error();
  auto reason = string_field(*body, "cancelReason", kMaxReasonLength);
  if (!reason) co_return reason.error();
  auto amount = amount_field(*body, "cancelAmount", 1, /*required=*/false);
  if (!amount) co_return amount.error();

  const CancelRequest cancel{*key, payment_key, *amount, *reason};
  const auto transaction_key = "pgsim_cancel_" + platform::random_hex(16);
  auto work = [&] { return ledger_.cancel(cancel, transaction_key, std::chrono::system_clock::now()); };
  const auto result = co_await pool_.run(work);
  switch (result.status) {
    case CancelStatus::Recorded:
      platform::log_json(spdlog::level::info, {{"msg", "refund"},
                                               {"idempotencyKey", cancel.idempotency_key},
                                               {"gatewayTxId", payment_key},
                                               {"amount", result.payment.cancel->amount}});
      co_return payment_answer(result.payment);
    case CancelStatus::Replayed:
      co_return payment_answer(result.payment);
    case CancelStatus::NotFound:
      co_return not_found_payment();
    case CancelStatus::AlreadyCanceled:
      co_return toss_error(400, "ALREADY_CANCELED_PAYMENT", "the payment was canceled before");
    case CancelStatus::NotCancelable:
      co_return toss_error(403, "NOT_CANCELABLE_PAYMENT", "a declined payment has nothing to cancel");
    case CancelStatus::AmountTooLarge:
      co_return toss_error(403, "NOT_CANCELABLE_AMOUNT", "cancelAmount is over the payment's amount");
  }
  co_return toss_error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "unknown cancel outcome");
}

awaitable<http::Response> Api::lookup(const std::string& order_id) {
  auto work = [&] { return ledger_.find_by_order(order_id); };
  const auto payment = co_await pool_.run(work);
  if (!payment) co_return not_found_payment();
  co_return payment_answer(*payment);
}

awaitable<http::Response> Api::ledger_list() {
  auto work = [&] { return ledger_.entries(); };
  const auto entries = co_await pool_.run(work);
  co_return ledger_answer(entries);
}

void Api::report_charge(const Payment& payment) {
  if (!webhooks_) return;
  const auto payment_id = payment_id_of(payment.metadata);
  if (!payment_id) {
    platform::log_json(spdlog::level::warn, {{"msg", "no webhook: the charge's metadata.paymentId is not an integer"},
                                             {"orderId", payment.order_id}});
    return;
  }
  webhooks_->report({*payment_id, payment.payment_key, payment.approved(), payment.amount, payment.failure_message});
}

}  // namespace concert::pgsim
