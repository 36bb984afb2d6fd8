// Structured logs: one JSON object per line on stdout (SPEC §6).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <spdlog/spdlog.h>
#include <string>
#include <string_view>

namespace concert::platform {

// Plain spdlog calls keep working and come out as {"ts","level","msg"} lines.
void init_logging(const std::string& level);
// Writes `fields` as one line, with ts and level added.
void log_json(spdlog::level::level_enum level, nlohmann::json fields);

std::string new_request_id();
// The trace id of a W3C traceparent header (00-<32 hex>-<16 hex>-<2 hex>).
std::optional<std::string> trace_id_from_traceparent(std::string_view header);

}  // namespace concert::platform
