#include "platform/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

namespace concert::platform {

namespace {

std::string dump(const nlohmann::ordered_json& j) {
  // Invalid UTF-8 (from a client's header, say) becomes U+FFFD instead of throwing.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Writes the message of a plain spdlog call as a JSON string, so those lines stay valid JSON.
class JsonStringFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const auto text = dump(std::string(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonStringFlag>(); }
};

// Writes each line into stdout's buffer with one fwrite (stdio locks the stream
// per call, so lines of the two loggers never interleave) and leaves flushing to
// flush(): spdlog's own stdout sink flushes every line, one write(2) per request
// that showed in the poll path's profile. Warnings and errors are flushed at
// once (flush_on), everything else within kFlushInterval.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

constexpr std::chrono::seconds kFlushInterval{1};  // spdlog 1.10 counts whole seconds

std::shared_ptr<spdlog::logger> make_logger(const std::string& name) {
  auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<BufferedStdoutSink>());
  logger->flush_on(spdlog::level::warn);
  return logger;
}

// log_json builds whole lines; this logger only writes them.
spdlog::logger& line_logger() {
  static const auto logger = [] {
    auto l = make_logger("concertd.json");
    l->set_pattern("%v");
    spdlog::register_logger(l);  // flushed by flush_every
    return l;
  }();
  return *logger;
}

// The same form as the default logger's %Y-%m-%dT%H:%M:%S.%eZ.
// One per log line, so each thread formats the date and time once per second
// and only appends the milliseconds (gmtime_r and strftime showed in profiles).
std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - seconds).count();
  thread_local std::chrono::sys_seconds cached_second{};
  thread_local std::string cached_prefix;
  if (seconds != cached_second || cached_prefix.empty()) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(seconds);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    cached_prefix.assign(buf, std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm));
    cached_second = seconds;
  }
  std::string out;
  out.reserve(cached_prefix.size() + 5);
  out += cached_prefix;
  out += '.';
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
  return out;
}

bool is_lower_hex(std::string_view s) { return s.find_first_not_of("0123456789abcdef") == std::string_view::npos; }
bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

}  // namespace

void init_logging(const std::string& level) {
  const auto threshold = spdlog::level::from_str(level);
  auto logger = make_logger("concertd");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonStringFlag>('*').set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%*})");
  logger->set_formatter(std::move(formatter));
  logger->set_level(threshold);
  spdlog::set_default_logger(std::move(logger));
  line_logger().set_level(threshold);
  spdlog::flush_every(kFlushInterval);
}

void flush_logs() { spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); }); }

LoggingGuard::~LoggingGuard() {
  flush_logs();
  spdlog::shutdown();  // joins the flusher, drops the registry's loggers
}

void log_json(spdlog::level::level_enum level, const nlohmann::json& fields) {
  if (!line_logger().should_log(level)) return;
  nlohmann::ordered_json members = nlohmann::ordered_json::object();
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      if (key != "ts" && key != "level") members[key] = value;  // the line's own ts and level win
    }
  } else {
    members["msg"] = fields;
  }
  const auto text = dump(members);  // "{...}": its members go after ts and level
  log_json_fields(level, std::string_view(text).substr(1, text.size() - 2));
}

void log_json_fields(spdlog::level::level_enum level, std::string_view fields) {
  auto& logger = line_logger();
  if (!logger.should_log(level)) return;
  const auto name = spdlog::level::to_string_view(level);
  logger.log(level, "{{\"ts\":\"{}\",\"level\":\"{}\"{}{}}}", utc_timestamp(std::chrono::system_clock::now()),
             std::string_view(name.data(), name.size()), fields.empty() ? "" : ",", fields);
}

// Request ids only need to be unique enough to find a line, not unguessable: a
// per-thread generator instead of OpenSSL's locked one (one id per request).
std::string new_request_id() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return fmt::format("{:016x}", generator());
}

std::optional<std::string> trace_id_from_traceparent(std::string_view h) {
  // version(2) "-" trace-id(32) "-" parent-id(16) "-" flags(2); W3C Trace Context §3.2.
  constexpr std::size_t kLength = 55;
  if (h.size() < kLength || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const auto version = h.substr(0, 2), trace = h.substr(3, 32), parent = h.substr(36, 16), flags = h.substr(53, 2);
  if (!is_lower_hex(version) || version == "ff") return std::nullopt;
  // Version 00 has exactly these fields; a later version may append "-..." (§3.2.4).
  if (h.size() > kLength && (version == "00" || h[kLength] != '-')) return std::nullopt;
  if (!is_lower_hex(trace) || !is_lower_hex(parent) || !is_lower_hex(flags)) return std::nullopt;
  if (all_zero(trace) || all_zero(parent)) return std::nullopt;
  return std::string(trace);
}

}  // namespace concert::platform
