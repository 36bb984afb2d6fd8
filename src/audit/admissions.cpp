#include "audit/admissions.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace concert::audit {

namespace {

std::string ms_of(domain::TimePoint t) { return std::to_string(t.time_since_epoch().count()) + " ms"; }

// Admissions of one promotion tick share a millisecond; within it their order is
// not observable, so ties are ordered by seq.
std::vector<Admission> by_admission_time(std::span<const Admission> log) {
  std::vector<Admission> sorted(log.begin(), log.end());
  std::sort(sorted.begin(), sorted.end(), [](const Admission& a, const Admission& b) {
    return a.admitted_at != b.admitted_at ? a.admitted_at < b.admitted_at : a.seq < b.seq;
  });
  return sorted;
}

void check_fifo(const std::vector<Admission>& sorted, InvariantReport& report) {
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].seq <= sorted[i - 1].seq) {
      report.add("I5", "not FIFO: seq " + std::to_string(sorted[i].seq) + " (" + sorted[i].user_id + ") admitted at " +
                           ms_of(sorted[i].admitted_at) + ", after seq " + std::to_string(sorted[i - 1].seq) + " (" +
                           sorted[i - 1].user_id + ") admitted at " + ms_of(sorted[i - 1].admitted_at));
    }
  }
}

// The promoter counts the window (now - 1 s, now], so any two admissions less
// than 1000 ms apart share a window; each window starts at some admission.
void check_rate(const std::vector<Admission>& sorted, int admit_per_second, InvariantReport& report) {
  std::size_t end = 0;
  for (std::size_t begin = 0; begin < sorted.size(); ++begin) {
    end = std::max(end, begin);
    while (end < sorted.size() && sorted[end].admitted_at - sorted[begin].admitted_at < std::chrono::seconds(1)) ++end;
    const auto n = static_cast<long long>(end - begin);
    if (n > admit_per_second) {
      report.add("I5", std::to_string(n) + " admissions in the second from " + ms_of(sorted[begin].admitted_at) +
                           " (seq " + std::to_string(sorted[begin].seq) + "), more than " +
                           std::to_string(admit_per_second) + "/s");
      // One line per crowded stretch is enough: skip to its end.
      begin = end - 1;
    }
  }
}

void check_holds_admitted(std::span<const Admission> log, std::span<const domain::Reservation> reservations,
                          InvariantReport& report) {
  std::map<domain::UserId, domain::TimePoint> first_admission;
  for (const auto& a : log) {
    auto [it, fresh] = first_admission.emplace(a.user_id, a.admitted_at);
    if (!fresh) it->second = std::min(it->second, a.admitted_at);
  }
  for (const auto& r : reservations) {
    auto it = first_admission.find(r.user_id);
    if (it == first_admission.end()) {
      report.add("I5", "reservation " + std::to_string(r.id) + " of " + r.user_id + " but " + r.user_id +
                           " was never admitted");
    } else if (it->second > r.created_at) {
      report.add("I5", "reservation " + std::to_string(r.id) + " created at " + ms_of(r.created_at) + " but " +
                           r.user_id + " was first admitted at " + ms_of(it->second));
    }
  }
}

}  // namespace

void check_admissions(std::span<const Admission> log, int admit_per_second,
                      std::span<const domain::Reservation> reservations, InvariantReport& report) {
  const auto sorted = by_admission_time(log);
  check_fifo(sorted, report);
  check_rate(sorted, admit_per_second, report);
  check_holds_admitted(log, reservations, report);
}

}  // namespace concert::audit
