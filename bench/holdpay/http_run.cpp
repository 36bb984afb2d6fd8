#include "bench/holdpay/http_run.hpp"

#include <algorithm>

#include "bench/holdpay/workers.hpp"

namespace concert::bench::holdpay {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// "hold 409 seat-taken", "pay 503", "hold client-timeout".
std::string error_label(const char* step, const Answer& a) {
  if (a.status == 0) return std::string(step) + " " + std::string(failure_label(a.failure));
  const auto code = a.problem_code();
  return std::string(step) + " " + std::to_string(a.status) + (code.empty() ? "" : " " + code);
}

class Timed {
 public:
  Timed(const HttpRun& run, const std::vector<HttpFan>& fans) : run_(run), fans_(fans) {}

  Outcome play(asio::io_context& ioc) {
    const auto started = Clock::now();
    run_workers(
        ioc, run_.workers, [this] { return worker(); }, run_.deadline,
        [this] {
          stopping_ = true;
          run_.pool.shut_down();
        });
    out_.elapsed = Clock::now() - started;
    if (next_ < fans_.size()) out_.errors["not reached by the deadline"] += fans_.size() - next_;
    return std::move(out_);
  }

 private:
  Request make(const HttpFan& fan, Route route, std::string target, std::string body, std::string key) const {
    Request r;
    r.route = route;
    r.method = "POST";
    r.target = std::move(target);
    r.body = std::move(body);
    r.bearer = fan.jwt;
    r.headers.emplace_back("Idempotency-Key", std::move(key));
    const auto left = std::chrono::duration_cast<milliseconds>(run_.deadline - Clock::now());
    r.timeout = std::clamp(left, milliseconds(1), run_.request_timeout);
    return r;
  }

  asio::awaitable<void> worker() {
    while (!stopping_ && next_ < fans_.size()) {
      const auto index = next_++;
      co_await hold_and_pay(fans_[index], index);
    }
  }

  asio::awaitable<void> hold_and_pay(const HttpFan& fan, std::size_t index) {
    const auto suffix = run_.run_id + "-" + std::to_string(index);
    const nlohmann::json hold_body{{"scheduleId", run_.schedule_id}, {"seatIds", nlohmann::json::array({fan.seat_id})}};
    auto hold = make(fan, Route::Hold, "/api/v1/reservations", hold_body.dump(), "hold-" + suffix);
    hold.headers.emplace_back("Queue-Token", fan.queue_token);
    const auto hold_started = Clock::now();
    const Answer held = co_await run_.pool.send(hold);
    const auto hold_took = Clock::now() - hold_started;
    const auto reservation_id = held.success() ? held.json().value("reservationId", std::int64_t{0}) : 0;
    if (!held.success() || reservation_id == 0) {
      out_.add_error(held.success() ? "hold answer without reservationId" : error_label("hold", held));
      co_return;
    }
    out_.hold_us.record(micros(hold_took));

    const nlohmann::json pay_body{{"reservationId", reservation_id}};
    const auto pay = make(fan, Route::Pay, "/api/v1/payments", pay_body.dump(), "pay-" + suffix);
    const auto pay_started = Clock::now();
    const Answer paid = co_await run_.pool.send(pay);
    const auto pay_took = Clock::now() - pay_started;
    if (!paid.success()) {
      out_.add_error(error_label("pay", paid));
      co_return;
    }
    out_.pay_us.record(micros(pay_took));
    ++out_.completed;
  }

  const HttpRun& run_;
  const std::vector<HttpFan>& fans_;
  Outcome out_;
  std::size_t next_ = 0;
  bool stopping_ = false;
};

}  // namespace

Outcome run_holds_and_payments(asio::io_context& ioc, const HttpRun& run, const std::vector<HttpFan>& fans) {
  return Timed(run, fans).play(ioc);
}

}  // namespace concert::bench::holdpay
