#include "bench/rush/fan.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <random>
#include <set>

#include "bench/rush/twin_send.hpp"
#include "platform/jwt.hpp"

namespace concert::bench::rush {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// Bounds that keep every fan's loops finite whatever the server answers.
constexpr int kEnterAttempts = 5;
constexpr int kQueueReentries = 2;     // the token was dropped or expired while waiting
constexpr int kMaxPolls = 100'000;     // the deadline ends polling long before this
constexpr int kHoldAttempts = 5;       // holds tried after a 409 seat-taken
constexpr int kSeatWaits = 60;         // re-reads while every free seat is already tried
constexpr int kKeyRetries = 8;         // sends of one Idempotency-Key after the first
constexpr milliseconds kMinPoll{250};  // a browser-like floor, even when etaSeconds says 0

// A fan's Idempotency-Keys are scoped to the fan (SPEC §4), so the run id and the
// fan's number make them unique across runs on one database.
std::string key(const char* what, const std::string& run_id, int fan, int attempt = 0) {
  return std::string(what) + "-" + run_id + "-" + std::to_string(fan) + (attempt ? "-" + std::to_string(attempt) : "");
}

// Retried with the same key: no answer (the first send may still be running at
// the server), or an answer the server did not store (SPEC §4: 409 in flight,
// 429, 5xx).
bool worth_retrying(const Answer& a) {
  if (a.failure == Failure::Timeout || a.failure == Failure::Io) return true;
  if (a.status == 429 || a.status == 503) return true;
  return a.status == 409 && a.problem_code() == "idempotency-key-in-flight";
}

// Of a double click's two answers, the one the fan's browser would act on.
const Answer& preferred(const Answer& a, const Answer& b) {
  auto rank = [](const Answer& x) { return x.success() ? 0 : (worth_retrying(x) ? 2 : 1); };
  return rank(b) < rank(a) ? b : a;
}

struct Hold {
  std::int64_t reservation_id = 0;
};

class Fan {
 public:
  Fan(FanEnv& env, int index)
      : env_(env),
        index_(index),
        user_("rush-" + env.run_id + "-" + std::to_string(index)),
        jwt_(platform::mint_token(env.options.jwt_secret, user_, std::nullopt, std::chrono::hours(6),
                                  std::chrono::system_clock::now())),
        rng_(env.options.seed * 1'000'003 + static_cast<std::uint64_t>(index)) {}

  asio::awaitable<void> run();

 private:
  // Steps of a visit; step s of fan i goes to instance (i + s) mod N.
  enum Step { kEnter, kPoll, kSeatMap, kHold, kPay, kAfterSale };

  HostPool& pool(int step) { return *env_.pools[static_cast<std::size_t>(index_ + step) % env_.pools.size()]; }
  bool stopping() const { return Clock::now() >= env_.signals.deadline(); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  milliseconds jitter(milliseconds d) {
    return milliseconds(
        static_cast<long>(static_cast<double>(d.count()) * std::uniform_real_distribution<double>(0.8, 1.2)(rng_)));
  }
  std::string schedule_path() const { return "/api/v1/schedules/" + std::to_string(env_.sale.schedule_id); }

  Request make(Route route, const char* method, std::string target, std::string body = {}) const;
  asio::awaitable<void> pause(milliseconds d);
  // Requests are taken by reference and copied inside: g++ 12 mishandles
  // temporaries in co_await expressions, so callers pass named locals.
  asio::awaitable<Answer> send(int step, const Request& request);
  asio::awaitable<Answer> send_keyed(int step, const Request& request);
  milliseconds time_left() const {
    return std::chrono::duration_cast<milliseconds>(env_.signals.deadline() - Clock::now());
  }

  asio::awaitable<bool> enter_queue();
  asio::awaitable<bool> wait_until_active();
  void admitted();
  asio::awaitable<std::shared_ptr<const SeatMap>> read_seat_map();
  asio::awaitable<std::optional<Hold>> hold_seats();
  asio::awaitable<std::optional<std::int64_t>> pay(const Hold& hold);
  asio::awaitable<void> cancel(const Hold& hold);
  asio::awaitable<void> refund(std::int64_t payment_id);
  asio::awaitable<void> leave_queue();

  FanEnv& env_;
  const int index_;
  const std::string user_;
  const std::string jwt_;
  std::mt19937_64 rng_;
  std::string token_;
  bool active_ = false;
  Clock::time_point entered_at_;
};

Request Fan::make(Route route, const char* method, std::string target, std::string body) const {
  Request r;
  r.route = route;
  r.method = method;
  r.target = std::move(target);
  r.body = std::move(body);
  r.bearer = jwt_;
  r.timeout = milliseconds(env_.options.request_timeout_ms);
  return r;
}

// Every pause ends by the deadline, so no fan outlives the run.
asio::awaitable<void> Fan::pause(milliseconds d) {
  const auto until = std::min(Clock::now() + d, env_.signals.deadline());
  if (until <= Clock::now()) co_return;
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, until);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<Answer> Fan::send(int step, const Request& request) {
  const auto left = time_left();
  if (left <= milliseconds(0)) {
    Answer stopped;
    stopped.failure = Failure::Stopped;
    co_return stopped;
  }
  Request bounded = request;
  bounded.timeout = std::min(request.timeout, left);
  bounded.timeout_is_run_end = left < request.timeout;
  const Answer answer = co_await send_recorded(pool(step), bounded, user_, env_.history);
  co_return answer;
}

// A request carrying an Idempotency-Key, sent as impatient fans send it.
asio::awaitable<Answer> Fan::send_keyed(int step, const Request& request) {
  const bool double_click = chance(env_.options.duplicate_click_rate);
  const bool impatient = chance(env_.options.retry_rate);
  Request first = request;
  first.give_up_after_send = impatient;
  Answer answer;
  if (double_click && !stopping()) {
    ++env_.counters.duplicate_clicks;
    first.timeout_is_run_end = time_left() < first.timeout;
    first.timeout = std::clamp(time_left(), milliseconds(1), first.timeout);
    const TwinAnswers both = co_await send_twice(pool(step), pool(step + 1), first, user_, env_.history);
    answer = preferred(both.first, both.second);
  } else {
    answer = co_await send(step, first);
  }
  for (int retry = 1; retry <= kKeyRetries && worth_retrying(answer) && !stopping(); ++retry) {
    ++env_.counters.key_retries;
    const auto wait = answer.status
                          ? std::clamp<milliseconds>(answer.retry_after, milliseconds(100), milliseconds(1000))
                          : milliseconds(10);  // a timed-out client retries at once
    co_await pause(jitter(wait));
    answer = co_await send(step + retry, request);  // a retry may well land on another instance
  }
  co_return answer;
}

asio::awaitable<bool> Fan::enter_queue() {
  for (int attempt = 0; attempt < kEnterAttempts && !stopping(); ++attempt) {
    const auto request = make(Route::EnterQueue, "POST", schedule_path() + "/queue");
    const Answer a = co_await send(kEnter, request);
    if (a.status == 200 || a.status == 201) {
      const auto j = a.json();
      token_ = j.value("token", "");
      if (j.value("status", "") == "ACTIVE") admitted();
      co_return !token_.empty();
    }
    if (a.status >= 400 && a.status < 500 && a.status != 429) co_return false;  // e.g. 409 sales closed
    co_await pause(jitter(milliseconds(200 << attempt)));
  }
  co_return false;
}

void Fan::admitted() {
  if (active_) return;
  active_ = true;
  const auto now = Clock::now();
  auto& c = env_.counters;
  ++c.admitted;
  c.queue_wait_ms.record(
      static_cast<std::uint64_t>(std::chrono::duration_cast<milliseconds>(now - entered_at_).count()));
  if (!c.first_admission) c.first_admission = now;
  c.last_admission = now;
}

// Polls GET /queue/status as often as etaSeconds suggests, within [250 ms, cap].
asio::awaitable<bool> Fan::wait_until_active() {
  int reentries = 0;
  for (int poll = 0; poll < kMaxPolls && !active_; ++poll) {
    if (stopping() || env_.signals.sold_out()) co_return false;
    auto request = make(Route::QueueStatus, "GET", "/api/v1/queue/status");
    request.headers.emplace_back("Queue-Token", token_);
    const Answer a = co_await send(kPoll, request);
    auto delay = milliseconds(500);
    const auto status = a.status == 200 ? a.json().value("status", "") : std::string();
    if (status == "ACTIVE") {
      admitted();
      break;
    }
    if (status == "WAITING") {
      const auto eta = milliseconds(a.json().value("etaSeconds", std::int64_t{0}) * 1000);
      delay = std::clamp(eta, kMinPoll, milliseconds(env_.options.poll_cap_ms));
    } else if (a.status == 404 || (a.status == 200 && status != "ACTIVE")) {
      // Dropped (idle too long) or expired: join again, as a fan reloading the page would.
      if (++reentries > kQueueReentries) co_return false;
      const bool again = co_await enter_queue();
      if (!again) co_return false;
      continue;
    }
    co_await pause(jitter(delay));
  }
  co_return active_;
}

asio::awaitable<std::shared_ptr<const SeatMap>> Fan::read_seat_map() {
  auto request = make(Route::SeatMap, "GET", schedule_path() + "/seats");
  request.bearer.clear();  // public
  const SeatMapCache known = env_.seat_maps;
  if (known.map) request.headers.emplace_back("If-None-Match", known.etag);
  const Answer a = co_await send(kSeatMap, request);
  std::shared_ptr<const SeatMap> map;
  const SeatMapCache& latest = env_.seat_maps;  // another fan may have read this version meanwhile
  if (a.status == 304 && known.map) {
    map = known.map;
  } else if (a.status == 200 && latest.map && !a.etag.empty() && a.etag == latest.etag) {
    map = latest.map;  // parsing a big map costs the client more than the server spent on it
  } else if (a.status == 200) {
    if (auto parsed = parse_seat_map(a.body, env_.sale.ranking)) {
      map = std::make_shared<const SeatMap>(std::move(*parsed));
      env_.seat_maps = {a.etag, map};
    }
  }
  if (map && map->sold_out()) env_.signals.mark_sold_out(Clock::now());
  co_return map;
}

asio::awaitable<std::optional<Hold>> Fan::hold_seats() {
  const int wanted = seats_wanted(rng_, env_.sale.max_seats_per_user);
  std::set<SeatId> tried;
  int attempts = 0;
  int waits = 0;
  while (attempts < kHoldAttempts && waits < kSeatWaits && !stopping()) {
    const auto map = co_await read_seat_map();
    if (map && map->sold_out()) co_return std::nullopt;
    const auto seats = map ? pick_seats(map->available, tried, wanted, rng_) : std::vector<SeatId>{};
    if (seats.empty()) {
      // Every free seat is taken or already tried: holds may still expire or be
      // cancelled, so look again shortly (with a fresh mind).
      ++waits;
      tried.clear();
      co_await pause(jitter(milliseconds(750)));
      continue;
    }
    ++attempts;
    auto request = make(Route::Hold, "POST", "/api/v1/reservations",
                        nlohmann::json{{"scheduleId", env_.sale.schedule_id}, {"seatIds", seats}}.dump());
    request.headers.emplace_back("Queue-Token", token_);
    request.headers.emplace_back("Idempotency-Key", key("hold", env_.run_id, index_, attempts));
    const Answer a = co_await send_keyed(kHold, request);
    if (a.status == 201) {
      ++env_.counters.holds;
      co_return Hold{a.json().value("reservationId", std::int64_t{0})};
    }
    if (a.status == 409 && a.problem_code() == "seat-taken") {
      ++env_.counters.seat_taken;
      tried.insert(seats.begin(), seats.end());
      continue;
    }
    break;  // token no longer active, seat limit, no answer: this fan stops trying
  }
  if (!stopping()) ++env_.counters.gave_up;
  co_return std::nullopt;
}

asio::awaitable<std::optional<std::int64_t>> Fan::pay(const Hold& hold) {
  auto request =
      make(Route::Pay, "POST", "/api/v1/payments", nlohmann::json{{"reservationId", hold.reservation_id}}.dump());
  request.headers.emplace_back("Idempotency-Key", key("pay", env_.run_id, index_));
  const Answer a = co_await send_keyed(kPay, request);
  const auto code = a.problem_code();
  if (a.status == 201 && a.json().value("status", "") == "APPROVED") {
    ++env_.counters.sales;
    co_return a.json().value("paymentId", std::int64_t{0});
  }
  if (code == "payment-declined") ++env_.counters.declined;
  if (code == "hold-expired") ++env_.counters.hold_expired_on_pay;
  co_return std::nullopt;
}

asio::awaitable<void> Fan::cancel(const Hold& hold) {
  const auto request = make(Route::CancelHold, "DELETE", "/api/v1/reservations/" + std::to_string(hold.reservation_id));
  const Answer a = co_await send(kAfterSale, request);
  if (a.status == 200) ++env_.counters.cancels;
}

asio::awaitable<void> Fan::refund(std::int64_t payment_id) {
  auto request = make(Route::Refund, "POST", "/api/v1/payments/" + std::to_string(payment_id) + "/refund");
  request.headers.emplace_back("Idempotency-Key", key("refund", env_.run_id, index_));
  const Answer a = co_await send_keyed(kAfterSale, request);
  if (a.status == 200) ++env_.counters.refunds;
}

// An ACTIVE fan who buys nothing frees the slot for the next one (SPEC §4).
asio::awaitable<void> Fan::leave_queue() {
  if (token_.empty() || stopping()) co_return;
  auto request = make(Route::LeaveQueue, "DELETE", "/api/v1/queue");
  request.headers.emplace_back("Queue-Token", token_);
  co_await send(kPoll, request);
}

asio::awaitable<void> Fan::run() {
  const auto ramp = std::chrono::duration<double>(env_.options.ramp_seconds);
  const auto arrival =
      std::chrono::duration_cast<milliseconds>(ramp * std::uniform_real_distribution<double>(0.0, 1.0)(rng_));
  // Decided up front, so a fan's fate depends on the seed only.
  const double fate = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  const bool wants_refund = chance(env_.options.refund_rate);

  co_await pause(arrival);
  if (stopping() || env_.signals.sold_out()) co_return;
  ++env_.counters.fans_started;
  entered_at_ = Clock::now();
  const bool in_queue = co_await enter_queue();
  if (!in_queue) co_return;
  ++env_.counters.entered;
  const bool active = co_await wait_until_active();
  if (!active) co_return;
  const auto hold = co_await hold_seats();
  if (!hold) {
    co_await leave_queue();
    co_return;
  }
  if (fate < env_.options.abandon_rate) {
    ++env_.counters.abandoned;  // closes the tab: the hold expires
    co_return;
  }
  if (fate < env_.options.abandon_rate + env_.options.cancel_rate) {
    co_await cancel(*hold);
    co_await leave_queue();
    co_return;
  }
  const auto payment = co_await pay(*hold);
  if (payment && wants_refund) co_await refund(*payment);
}

}  // namespace

asio::awaitable<void> run_fan(FanEnv& env, int index) {
  Fan fan(env, index);
  co_await fan.run();
}

}  // namespace concert::bench::rush
