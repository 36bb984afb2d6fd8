#include "bench/rush/history_recorder.hpp"

#include <chrono>

namespace concert::bench::rush {

namespace {

// Large enough that a rush's few hundred thousand lines cost few writes.
constexpr std::size_t kBufferBytes = 1 << 20;

domain::TimePoint wall_now() { return std::chrono::time_point_cast<domain::Millis>(std::chrono::system_clock::now()); }

std::string header(const Request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

// The history's own words for a missing answer (audit/history.hpp).
std::string failure_word(Failure failure) {
  switch (failure) {
    case Failure::Timeout:
      return "timeout";
    case Failure::Connect:
      return "connect";
    case Failure::Io:
      return "io";
    case Failure::Stopped:
    case Failure::None:
      break;
  }
  return "stopped";
}

}  // namespace

HistoryRecorder::HistoryRecorder(const std::string& path, std::chrono::steady_clock::time_point deadline)
    : path_(path), deadline_(deadline), buffer_(kBufferBytes) {
  out_.rdbuf()->pubsetbuf(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  out_.open(path, std::ios::out | std::ios::trunc);
  ok_ = out_.is_open();
}

void HistoryRecorder::record(const audit::Exchange& e) {
  const auto line = audit::to_json_line(e);
  std::lock_guard lock(mutex_);
  if (!ok_) return;
  out_ << line << '\n';
  ok_ = static_cast<bool>(out_);
  ++recorded_;
}

bool HistoryRecorder::close() {
  std::lock_guard lock(mutex_);
  if (out_.is_open()) {
    out_.flush();
    ok_ = ok_ && static_cast<bool>(out_);
    out_.close();
  }
  return ok_;
}

std::size_t HistoryRecorder::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}

boost::asio::awaitable<Answer> send_recorded(HostPool& pool, const Request& request, const std::string& user,
                                             HistoryRecorder* history) {
  if (!history) co_return co_await pool.send(request);
  audit::Exchange e;
  e.seq = history->next_seq();
  e.user = user;
  e.method = request.method;
  e.route = std::string(route_label(request.route));
  e.path = request.target;
  e.idempotency_key = header(request, "Idempotency-Key");
  e.request_body = request.body;
  e.sent_at = wall_now();
  const Answer answer = co_await pool.send(request);
  e.answered_at = wall_now();
  e.status = answer.status;
  if (answer.status == 0) {
    // A fan's deliberate impatience (--retry-rate), and a request the run's end
    // cut short (its timeout is clipped to the deadline), are not a server that hung.
    e.failure = failure_word(answer.failure);
    if (answer.failure == Failure::Timeout && request.give_up_after_send) e.failure = "impatient";
    if (answer.failure == Failure::Timeout && std::chrono::steady_clock::now() >= history->deadline()) {
      e.failure = "stopped";
    }
  }
  // Seat maps are large and say nothing about writes: their status is enough,
  // with the problem body of a refusal.
  if (request.route != Route::SeatMap || answer.status >= 400) e.answer_body = answer.body;
  history->record(e);
  co_return answer;
}

}  // namespace concert::bench::rush
