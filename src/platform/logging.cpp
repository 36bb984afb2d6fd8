#include "platform/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "platform/crypto.hpp"

namespace concert::platform {

namespace {

// Renders the message as a JSON string so spdlog's plain calls stay valid JSON;
// messages from log_json are already objects and are passed through.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    std::string out;
    if (text.size() > 1 && text.front() == '{' && text.back() == '}') {
      out = ",";
      out.append(text.substr(1, text.size() - 2));
    } else {
      out = ",\"msg\":" + nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

void init_logging(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("concertd", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonMessageFlag>('*').set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l"%*})");
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void log_json(spdlog::level::level_enum level, nlohmann::json fields) {
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{}", fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string new_request_id() { return random_hex(8); }

std::optional<std::string> trace_id_from_traceparent(std::string_view h) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2)
  if (h.size() != 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  auto is_hex = [](std::string_view s) {
    return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  };
  auto all_zero = [](std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; };
  const auto version = h.substr(0, 2), trace = h.substr(3, 32), parent = h.substr(36, 16), flags = h.substr(53, 2);
  if (!is_hex(version) || version == "ff" || !is_hex(trace) || !is_hex(parent) || !is_hex(flags)) return std::nullopt;
  if (all_zero(trace) || all_zero(parent)) return std::nullopt;
  return std::string(trace);
}

}  // namespace concert::platform
