#include "bench/holdpay/http_fans.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <stdexcept>

#include "bench/holdpay/workers.hpp"
#include "bench/http/sale_admin.hpp"
#include "platform/jwt.hpp"

namespace concert::bench::holdpay {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// Pause between two polling rounds; promotion runs every 100 ms by default.
constexpr milliseconds kPollPause{100};

class Admitter {
 public:
  Admitter(const Admission& a, std::vector<HttpFan>& fans) : a_(a), fans_(fans), active_(fans.size(), false) {}

  void run(asio::io_context& ioc) {
    next_ = 0;
    run_workers(
        ioc, a_.workers, [this] { return enter_worker(); }, a_.deadline, [this] { a_.pool.shut_down(); });
    for (;;) {
      pending_.clear();
      for (std::size_t i = 0; i < fans_.size(); ++i) {
        if (!active_[i]) pending_.push_back(i);
      }
      if (pending_.empty()) return;
      if (Clock::now() + kPollPause >= a_.deadline) {
        throw std::runtime_error(std::to_string(pending_.size()) + " fans still not ACTIVE at the deadline");
      }
      pause(ioc);
      next_ = 0;
      run_workers(
          ioc, a_.workers, [this] { return poll_worker(); }, a_.deadline, [this] { a_.pool.shut_down(); });
    }
  }

 private:
  Request make(const HttpFan& fan, const char* method, std::string target) const {
    Request r;
    r.method = method;
    r.target = std::move(target);
    r.bearer = fan.jwt;
    const auto left = std::chrono::duration_cast<milliseconds>(a_.deadline - Clock::now());
    r.timeout = std::clamp(left, milliseconds(1), a_.request_timeout);
    return r;
  }

  asio::awaitable<void> enter_worker() {
    while (next_ < fans_.size()) {
      const auto i = next_++;
      auto& fan = fans_[i];
      auto request = make(fan, "POST", "/api/v1/schedules/" + std::to_string(a_.schedule_id) + "/queue");
      request.route = Route::EnterQueue;
      const Answer answer = co_await a_.pool.send(request);
      if (answer.status != 200 && answer.status != 201) expect_status(answer, 201, "entering the queue");
      const auto body = answer.json();
      fan.queue_token = body.value("token", "");
      if (fan.queue_token.empty()) throw std::runtime_error("entering the queue gave no token: " + answer.body);
      active_[i] = body.value("status", "") == "ACTIVE";
    }
  }

  asio::awaitable<void> poll_worker() {
    while (next_ < pending_.size()) {
      const auto i = pending_[next_++];
      auto request = make(fans_[i], "GET", "/api/v1/queue/status");
      request.route = Route::QueueStatus;
      request.headers.emplace_back("Queue-Token", fans_[i].queue_token);
      const Answer answer = co_await a_.pool.send(request);
      expect_status(answer, 200, "polling the queue");
      const auto status = answer.json().value("status", "");
      if (status == "ACTIVE") {
        active_[i] = true;
      } else if (status != "WAITING") {
        throw std::runtime_error("a fan's queue token is " + status + ", neither WAITING nor ACTIVE");
      }
    }
  }

  void pause(asio::io_context& ioc) const {
    asio::steady_timer timer(ioc, kPollPause);
    timer.async_wait([](const boost::system::error_code&) {});
    ioc.restart();
    ioc.run();
  }

  const Admission& a_;
  std::vector<HttpFan>& fans_;
  std::vector<bool> active_;
  std::vector<std::size_t> pending_;
  std::size_t next_ = 0;
};

}  // namespace

std::vector<HttpFan> make_fans(const std::string& jwt_secret, const std::string& run_id, const nlohmann::json& seats) {
  std::vector<HttpFan> fans;
  fans.reserve(seats.size());
  const auto now = std::chrono::system_clock::now();
  for (std::size_t i = 0; i < seats.size(); ++i) {
    HttpFan fan;
    fan.user = "holdpay-" + run_id + "-" + std::to_string(i);
    fan.jwt = platform::mint_token(jwt_secret, fan.user, std::nullopt, std::chrono::hours(6), now);
    fan.seat_id = seats[i].value("id", std::int64_t{0});
    fans.push_back(std::move(fan));
  }
  return fans;
}

void admit_fans(asio::io_context& ioc, const Admission& admission, std::vector<HttpFan>& fans) {
  Admitter(admission, fans).run(ioc);
}

}  // namespace concert::bench::holdpay
