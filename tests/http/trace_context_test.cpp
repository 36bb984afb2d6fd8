// W3C trace ids end to end (SPEC §6): every answer returns a traceparent, the
// caller's trace continued or a new one; the outbox events a request causes
// carry its trace id to the sink; a malformed traceparent starts a new trace.
#include <fstream>
#include <thread>

#include "http_fixture.hpp"
#include "platform/logging.hpp"

namespace concert::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kCallerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

std::string trace_of(const Reply& r) {
  return platform::trace_id_from_traceparent(r.header("traceparent")).value_or("invalid: " + r.header("traceparent"));
}

TEST_F(HttpTest, EveryAnswerHasATraceparentAndTheCallersTraceIsContinued) {
  const auto first = client->get("/api/v1/concerts");
  const auto second = client->get("/api/v1/concerts");
  EXPECT_EQ(trace_of(first).size(), 32u) << first.header("traceparent");
  EXPECT_NE(trace_of(first), trace_of(second));  // a new trace each time
  EXPECT_EQ(trace_of(client->get("/no/such/path")).size(), 32u);

  const std::string caller = std::string("00-") + kCallerTrace + "-00f067aa0ba902b7-01";
  const auto continued = client->get("/api/v1/concerts", {{"traceparent", caller}});
  EXPECT_EQ(trace_of(continued), kCallerTrace);
  EXPECT_EQ(continued.header("traceparent").find("00f067aa0ba902b7"), std::string::npos);  // our own span

  const auto malformed = client->get("/api/v1/concerts", {{"traceparent", "00-zz-bad-01"}});
  EXPECT_EQ(trace_of(malformed).size(), 32u);
  EXPECT_NE(trace_of(malformed), kCallerTrace);
}

TEST_F(HttpTest, TheEventsOfARequestCarryItsTraceIdToTheSink) {
  const auto token = admit("alice");
  auto h = auth("alice");
  h.emplace_back("Queue-Token", token);
  h.emplace_back("Idempotency-Key", "traced-hold");
  h.emplace_back("traceparent", std::string("00-") + kCallerTrace + "-00f067aa0ba902b7-01");
  const auto hold = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[5]})", h);
  ASSERT_EQ(hold.status, 201) << hold.body;
  const auto event_id = "reservation-" + std::to_string(hold.json()["reservationId"].get<int>()) + "-v1";
  for (int i = 0; i < 200; ++i) {
    std::ifstream sink(dir.file("data") + "/events.jsonl");
    for (std::string line; std::getline(sink, line);) {
      const auto e = nlohmann::json::parse(line);
      if (e["eventId"] != event_id) continue;
      EXPECT_EQ(e["type"], "ReservationHeld");
      EXPECT_EQ(e["traceId"], kCallerTrace);
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  FAIL() << event_id << " never reached the sink";
}

}  // namespace
}  // namespace concert::testing
