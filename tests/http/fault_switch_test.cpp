// The fault switch a canary rehearsal starts a bad canary with (config
// fault_error_per_mille, fault_delay_ms): API requests fail with 500
// injected-fault before anything runs, so they change nothing, while the
// operational endpoints keep answering (the canary stays "healthy" and is caught
// by its error ratio, as a real bad release would be); the 5xx are counted.
#include "http_fixture.hpp"

namespace concert::testing {
namespace {

class FaultSwitch : public HttpTest {
 protected:
  std::string config_json() const override { return R"({"fault_error_per_mille": 1000})"; }
};

TEST_F(FaultSwitch, EveryApiRequestFailsBeforeItRunsAndOpsEndpointsStillAnswer) {
  for (int i = 0; i < 3; ++i) {
    const auto created = client->post("/api/v1/admin/concerts", R"({"title":"never"})", admin());
    EXPECT_EQ(created.status, 500);
    EXPECT_EQ(created.json()["code"], "injected-fault");
    EXPECT_EQ(created.header("Content-Type"), "application/problem+json");
  }
  EXPECT_EQ(client->get("/api/v1/concerts").status, 500);
  EXPECT_EQ(client->get("/healthz").status, 200);
  EXPECT_EQ(client->get("/readyz").status, 200);
  const auto metrics = client->get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find(R"(concertd_http_requests_total{code="5xx",method="POST",route="/api/v1/admin/concerts"} 3)"),
      std::string::npos);
  EXPECT_NE(metrics.body.find("concertd_ready 1"), std::string::npos);
}

// Off by default: the same requests succeed and create what they ask for.
TEST_F(HttpTest, TheFaultSwitchIsOffByDefault) {
  const auto created = client->post("/api/v1/admin/concerts", R"({"title":"real"})", admin());
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(client->get("/api/v1/concerts/" + std::to_string(created.json()["id"].get<int>())).status, 200);
}

}  // namespace
}  // namespace concert::testing
