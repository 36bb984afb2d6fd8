#include "platform/trace_context.hpp"

#include <fmt/format.h>

#include <random>

#include "platform/logging.hpp"

namespace concert::platform {

namespace {

thread_local const TraceContext* current = nullptr;

std::uint64_t random_nonzero() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  for (;;) {
    if (const auto v = generator(); v != 0) return v;  // all-zero ids are invalid (W3C §3.2.2.3)
  }
}

std::string new_span_id() { return fmt::format("{:016x}", random_nonzero()); }

}  // namespace

TraceContext trace_for_request(const std::optional<std::string>& traceparent) {
  TraceContext t;
  if (traceparent) {
    if (auto id = trace_id_from_traceparent(*traceparent)) t.trace_id = std::move(*id);
  }
  if (t.trace_id.empty()) t.trace_id = fmt::format("{:016x}{:016x}", random_nonzero(), random_nonzero());
  t.span_id = new_span_id();
  return t;
}

std::string traceparent_of(const TraceContext& trace) { return "00-" + trace.trace_id + "-" + trace.span_id + "-01"; }

std::string outgoing_traceparent() {
  if (!current) return {};
  return traceparent_of({current->trace_id, new_span_id()});
}

const TraceContext* current_trace() { return current; }

ScopedTrace::ScopedTrace(const TraceContext* trace) : previous_(current) { current = trace; }
ScopedTrace::~ScopedTrace() { current = previous_; }

}  // namespace concert::platform
