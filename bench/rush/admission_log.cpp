#include "bench/rush/admission_log.hpp"

#include "app/views.hpp"

namespace concert::bench::rush {

namespace {

constexpr int kMaxPages = 10'000;  // 10,000 items a page: 100 million admissions

std::optional<audit::Admission> admission_of(const nlohmann::json& item) {
  if (!item.is_object()) return std::nullopt;
  const auto entered = app::parse_rfc3339(item.value("enteredAt", ""));
  const auto admitted = app::parse_rfc3339(item.value("admittedAt", ""));
  if (!item.contains("seq") || !item["seq"].is_number_integer() || !entered || !admitted) return std::nullopt;
  return audit::Admission{item["seq"].get<std::int64_t>(), item.value("userId", ""), *entered, *admitted};
}

}  // namespace

boost::asio::awaitable<AdmissionLog> fetch_admission_log(HostPool& pool, const std::string& admin_jwt,
                                                         std::int64_t schedule_id,
                                                         std::chrono::steady_clock::time_point give_up_at) {
  AdmissionLog log;
  std::int64_t after = 0;
  for (int page = 0; page < kMaxPages; ++page) {
    const auto timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(give_up_at - std::chrono::steady_clock::now());
    if (timeout <= std::chrono::milliseconds(0)) {
      log.problem = "admission log not read in time (" + std::to_string(log.items.size()) + " admissions so far)";
      co_return log;
    }
    Request request;
    request.route = Route::Admissions;
    request.target =
        "/api/v1/admin/schedules/" + std::to_string(schedule_id) + "/admissions?after=" + std::to_string(after);
    request.bearer = admin_jwt;
    request.timeout = timeout;
    const Answer a = co_await pool.send(request);
    const auto body = a.json();
    if (a.status != 200 || !body.is_object() || !body.contains("items") || !body["items"].is_array()) {
      log.problem = "admission log page after " + std::to_string(after) + ": " +
                    (a.status ? "HTTP " + std::to_string(a.status) : std::string(failure_label(a.failure)));
      co_return log;
    }
    if (body["items"].empty()) {
      log.state = AdmissionLog::State::Read;
      co_return log;
    }
    for (const auto& item : body["items"]) {
      auto admission = admission_of(item);
      if (!admission) {
        log.problem = "admission log item is malformed: " + item.dump();
        co_return log;
      }
      log.items.push_back(std::move(*admission));
    }
    const auto next = body.value("next", log.items.back().seq);
    if (next <= after) {
      log.problem = "admission log paging does not advance past " + std::to_string(after);
      co_return log;
    }
    after = next;
  }
  log.problem = "admission log longer than " + std::to_string(kMaxPages) + " pages";
  co_return log;
}

}  // namespace concert::bench::rush
