#include "bench/holdpay/sql_run.hpp"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>

namespace concert::bench::holdpay {

namespace {

class Shared {
 public:
  Shared(const std::vector<SqlFan>& fans, Clock::time_point deadline) : fans_(fans), deadline_(deadline) {}

  // The next fan to play, or null when all are taken or the deadline passed.
  const SqlFan* next() {
    if (Clock::now() >= deadline_) return nullptr;
    const auto i = next_.fetch_add(1);
    return i < fans_.size() ? &fans_[i] : nullptr;
  }
  std::size_t not_reached() const { return fans_.size() - std::min(next_.load(), fans_.size()); }

  // The first message of each kind of failure goes to stderr, to say what it was.
  void tell_once(const std::string& label, const std::string& message) {
    std::lock_guard lock(mutex_);
    if (told_.insert(label).second) std::cerr << "concert-holdpay: " << label << ": " << message << "\n";
  }

 private:
  const std::vector<SqlFan>& fans_;
  const Clock::time_point deadline_;
  std::atomic<std::size_t> next_{0};
  std::mutex mutex_;
  std::set<std::string> told_;
};

// Runs `step`, turning a database exception into an error label "<step> <kind>".
template <typename Step>
auto guarded(const char* name, Shared& shared, Step&& step) -> std::invoke_result_t<Step> {
  try {
    return step();
  } catch (const ports::TxConflict& e) {
    const std::string label = std::string(name) + ": tx-conflict";
    shared.tell_once(label, e.what());
    return tl::unexpected(label);
  } catch (const ports::StoreUnavailable& e) {
    const std::string label = std::string(name) + ": database error";
    shared.tell_once(label, e.what());
    return tl::unexpected(label);
  } catch (const std::exception& e) {  // a row the adapter could not read, say
    const std::string label = std::string(name) + ": error";
    shared.tell_once(label, e.what());
    return tl::unexpected(label);
  }
}

void play(SqlSession& session, const SqlFan& fan, Statements statements, Shared& shared, Outcome& out) {
  const auto hold_started = Clock::now();
  auto held = guarded("hold", shared, [&] { return hold(session, fan, statements); });
  if (!held) {
    out.add_error(held.error());
    return;
  }
  out.hold_us.record(micros(Clock::now() - hold_started));
  const auto pay_started = Clock::now();
  const auto paid = guarded("pay", shared, [&] { return pay(session, fan, *held, statements); });
  if (!paid) {
    out.add_error(paid.error());
    return;
  }
  out.pay_us.record(micros(Clock::now() - pay_started));
  ++out.completed;
}

void work(std::unique_ptr<SqlSession>& session, const SessionFactory& reopen, Statements statements, Shared& shared,
          Outcome& out) {
  while (const SqlFan* fan = shared.next()) {
    play(*session, *fan, statements, shared, out);
    if (!session->broken()) continue;
    try {
      session = reopen();
      session->prepare_hold_and_pay();
    } catch (const std::exception& e) {
      shared.tell_once("reconnect", e.what());
      out.add_error("reconnect failed");
      return;
    }
  }
}

}  // namespace

Outcome run_sql_fans(std::vector<std::unique_ptr<SqlSession>> sessions, const SessionFactory& reopen,
                     const std::vector<SqlFan>& fans, Statements statements, Clock::time_point deadline) {
  Shared shared(fans, deadline);
  std::vector<Outcome> outcomes(sessions.size());
  std::latch go(1);
  Clock::time_point started;
  {
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < sessions.size(); ++t) {
      threads.emplace_back([&, t] {
        go.wait();
        work(sessions[t], reopen, statements, shared, outcomes[t]);
      });
    }
    started = Clock::now();
    go.count_down();
  }  // joins every thread
  Outcome total;
  total.elapsed = Clock::now() - started;
  for (const auto& o : outcomes) total.merge(o);
  if (const auto missed = shared.not_reached(); missed > 0) total.errors["not reached by the deadline"] += missed;
  return total;
}

}  // namespace concert::bench::holdpay
