// Structured logs: one JSON object per line on stdout (SPEC §6).
#pragma once

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace concert::platform {

// Plain spdlog calls keep working and come out as {"ts","level","msg"} lines.
// `level` is an spdlog level name (trace, debug, info, warn, error, critical, off).
void init_logging(const std::string& level);
// Writes `fields` (an object) as one line, with ts and level put first; used for
// the access log and other lines whose fields a log pipeline should index.
void log_json(spdlog::level::level_enum level, const nlohmann::json& fields);
// The same line from fields already written as JSON members ("\"k\":v,..." without
// braces), for the access log: one line per request, no JSON tree built.
void log_json_fields(spdlog::level::level_enum level, std::string_view fields);
// Lines below warn reach stdout within a second; this writes them out now (for a
// line someone waits for, such as the listening address).
void flush_logs();
// Ends logging before main returns: stops spdlog's flusher thread, which must not
// outlive the loggers it flushes during static destruction, and writes out every
// buffered line.
struct LoggingGuard {
  LoggingGuard() = default;
  LoggingGuard(const LoggingGuard&) = delete;
  LoggingGuard& operator=(const LoggingGuard&) = delete;
  ~LoggingGuard();
};

std::string new_request_id();
// The trace id of a W3C traceparent header (00-<32 hex>-<16 hex>-<2 hex>), or
// nullopt when the header is malformed or carries an all-zero id.
std::optional<std::string> trace_id_from_traceparent(std::string_view header);

}  // namespace concert::platform
