// W3C Trace Context (SPEC §6): every request has a trace id, continued from its
// `traceparent` header or started here, and a span id of this server's; the
// response returns them in `traceparent`. The work a request causes on a pool
// thread runs under its trace (ScopedTrace), so the outbox events it writes and
// the gateway calls it makes carry the same trace id. A thread-local, as
// OpenTelemetry's context is: the use cases need not pass it along.
#pragma once

#include <optional>
#include <string>

namespace concert::platform {

struct TraceContext {
  std::string trace_id;  // 32 lower-case hex digits
  std::string span_id;   // 16: this server's span of the request
};

// The request's trace: the caller's trace id when `traceparent` is valid, else a
// new one; always a new span id.
TraceContext trace_for_request(const std::optional<std::string>& traceparent);
// "00-<trace id>-<span id>-01" (version 00, sampled).
std::string traceparent_of(const TraceContext& trace);
// A traceparent for an outgoing call made under the current trace (a new span
// id, a child of it); empty when there is none.
std::string outgoing_traceparent();

// The trace pool work runs under; nullptr outside one.
const TraceContext* current_trace();

class ScopedTrace {
 public:
  explicit ScopedTrace(const TraceContext* trace);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  const TraceContext* previous_;
};

}  // namespace concert::platform
