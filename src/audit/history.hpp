// What a client saw: one Exchange per HTTP request it sent, with what came back
// (or why nothing did), kept as JSON lines. concert-rush records one per run;
// check_history then holds the database and the event sink to what the fans
// were told: every acknowledged write is there (in the state told or a later
// legal one), nothing answered as failed took effect, nothing exists that no
// request could have made, every outbox event reached the sink in order per
// aggregate. The rules are in history_check.cpp.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/report.hpp"
#include "domain/errors.hpp"
#include "domain/types.hpp"
#include "ports/store.hpp"

namespace concert::audit {

struct Exchange {
  std::uint64_t seq = 0;  // send order over the whole run
  std::string user;       // the JWT sub it was sent as; empty for a public request
  std::string method;     // "POST"
  std::string route;      // the client's label of the endpoint (informational)
  std::string path;       // "/api/v1/reservations"
  std::string idempotency_key;
  std::string request_body;
  int status = 0;       // 0: no answer, see `failure`
  std::string failure;  // why no answer: "timeout", "impatient" (not read on purpose), "io", "connect", "stopped"
  std::string answer_body;
  domain::TimePoint sent_at;
  domain::TimePoint answered_at;  // or when the client stopped waiting
};

using History = std::vector<Exchange>;  // in seq order

// One exchange as one line of JSON (no newline inside), and back.
std::string to_json_line(const Exchange& e);
domain::Result<Exchange> exchange_from_json_line(std::string_view line);

// Every line of `in` (blank lines skipped), sorted by seq: a recorder writes an
// exchange when it ends, so the file is in answer order.
domain::Result<History> read_history(std::istream& in);
domain::Result<History> read_history_file(const std::string& path);

struct HistoryInputs {
  const History* history = nullptr;
  ports::Store* store = nullptr;
  // Event ids in the order the sink received them, copies included (see
  // audit/sources.hpp); nullopt: the events rule is not checked.
  std::optional<std::vector<std::string>> published;
};

struct HistoryVerdict {
  // Tagged "acknowledged", "failed", "unexplained" or "events"; each detail a
  // sentence naming the request (#seq, user, key) or the row.
  InvariantReport report;
  std::size_t exchanges = 0;
  std::size_t acknowledged_writes = 0;  // 2xx holds, payments, refunds, cancels checked
  std::size_t failed_writes = 0;        // writes whose final answer was a failure, checked
  std::size_t events = 0;               // outbox events of the audited rows checked
};

// Reads only the schedules the history's holds name: their reservations and
// payments, and the outbox (once, paged) for those rows' events.
HistoryVerdict check_history(const HistoryInputs& in);

}  // namespace concert::audit
