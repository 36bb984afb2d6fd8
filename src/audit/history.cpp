#include "audit/history.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace concert::audit {

namespace {

std::int64_t ms(domain::TimePoint t) { return t.time_since_epoch().count(); }
domain::TimePoint at_ms(std::int64_t v) { return domain::TimePoint(domain::Millis(v)); }

}  // namespace

std::string to_json_line(const Exchange& e) {
  nlohmann::json j{{"seq", e.seq},
                   {"user", e.user},
                   {"method", e.method},
                   {"route", e.route},
                   {"path", e.path},
                   {"sentAtMs", ms(e.sent_at)},
                   {"answeredAtMs", ms(e.answered_at)},
                   {"status", e.status}};
  // Absent rather than empty keeps a rush's file small: most requests are polls.
  if (!e.idempotency_key.empty()) j["idempotencyKey"] = e.idempotency_key;
  if (!e.request_body.empty()) j["requestBody"] = e.request_body;
  if (!e.failure.empty()) j["failure"] = e.failure;
  if (!e.answer_body.empty()) j["answerBody"] = e.answer_body;
  // Bodies are recorded as the bytes seen; replace, not throw, on invalid UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

domain::Result<Exchange> exchange_from_json_line(std::string_view line) {
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object() || !j.contains("seq") || !j.contains("method") || !j.contains("path")) {
    return domain::fail(domain::ErrorCode::InvalidInput, "not an exchange: " + std::string(line.substr(0, 120)));
  }
  try {
    Exchange e;
    e.seq = j.at("seq").get<std::uint64_t>();
    e.user = j.value("user", "");
    e.method = j.at("method").get<std::string>();
    e.route = j.value("route", "");
    e.path = j.at("path").get<std::string>();
    e.idempotency_key = j.value("idempotencyKey", "");
    e.request_body = j.value("requestBody", "");
    e.status = j.value("status", 0);
    e.failure = j.value("failure", "");
    e.answer_body = j.value("answerBody", "");
    e.sent_at = at_ms(j.value("sentAtMs", std::int64_t{0}));
    e.answered_at = at_ms(j.value("answeredAtMs", std::int64_t{0}));
    return e;
  } catch (const nlohmann::json::exception& error) {
    return domain::fail(domain::ErrorCode::InvalidInput, std::string("bad exchange field: ") + error.what());
  }
}

domain::Result<History> read_history(std::istream& in) {
  History history;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto e = exchange_from_json_line(line);
    if (!e) return domain::fail(e.error().code, "line " + std::to_string(number) + ": " + e.error().detail);
    history.push_back(std::move(*e));
  }
  std::stable_sort(history.begin(), history.end(), [](const Exchange& a, const Exchange& b) { return a.seq < b.seq; });
  return history;
}

domain::Result<History> read_history_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return domain::fail(domain::ErrorCode::InvalidInput, "cannot read the history " + path);
  auto history = read_history(in);
  if (!history) return domain::fail(history.error().code, path + ": " + history.error().detail);
  return history;
}

}  // namespace concert::audit
