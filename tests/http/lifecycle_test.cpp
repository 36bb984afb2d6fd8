// Process-level behaviour of the embedded profile: one instance per data dir,
// nothing committed lost to kill -9, the CLI's token works against the server.
#include <cstdio>
#include <memory>

#include "http_fixture.hpp"

namespace concert::testing {
namespace {

class Lifecycle : public HttpTest {};

std::string run_command(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  char buf[512];
  while (pipe && std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  return out;
}

TEST_F(Lifecycle, ASecondInstanceOnTheSameDataDirRefusesToStart) {
  try {
    ServerProcess::start(concertd_binary(), {"--listen", "127.0.0.1:0", "--data-dir", dir.file("data")},
                         dir.file("second.log"), std::chrono::seconds(5));
    FAIL() << "the second instance started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("already running"), std::string::npos) << e.what();
  }
  EXPECT_EQ(client->get("/healthz").status, 200);  // the first one is unharmed
}

// A gateway URL without its secret, or a reconciler that could fail a charge
// still on its way, is a configuration error that stops the start, named.
TEST_F(Lifecycle, AGatewayMisconfigurationRefusesToStartAndSaysWhy) {
  const auto refused = [&](const std::string& log) -> std::string {
    try {
      ServerProcess::start(concertd_binary(), {"--listen", "127.0.0.1:0", "--data-dir", dir.file("gw-" + log)},
                           dir.file(log + ".log"), std::chrono::seconds(5));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "it started";
  };
  ::setenv("CONCERTD_PG_URL", "http://127.0.0.1:9", 1);
  const auto no_secret = refused("no-secret");
  EXPECT_NE(no_secret.find("CONCERTD_PG_SECRET"), std::string::npos) << no_secret;
  ::setenv("CONCERTD_PG_SECRET", "http-test-gateway-secret-0123", 1);
  ::setenv("CONCERTD_PG_URL", "ftp://127.0.0.1:9", 1);
  const auto bad_url = refused("bad-url");
  EXPECT_NE(bad_url.find("CONCERTD_PG_URL"), std::string::npos) << bad_url;
  ::unsetenv("CONCERTD_PG_URL");
  ::unsetenv("CONCERTD_PG_SECRET");
  EXPECT_EQ(client->get("/healthz").status, 200);  // the running one is unharmed
}

TEST_F(Lifecycle, KillNineLosesNothingCommitted) {
  const auto token = admit("alice");
  auto h = auth("alice");
  h.emplace_back("Queue-Token", token);
  h.emplace_back("Idempotency-Key", "k");
  auto held = client->post("/api/v1/reservations", R"({"scheduleId":1,"seatIds":[3]})", h);
  ASSERT_EQ(held.status, 201) << held.body;
  const auto id = std::to_string(held.json()["reservationId"].get<std::int64_t>());
  server->kill9();
  server.reset();
  // The lock died with the process: a new instance starts on the same data dir.
  server.emplace(ServerProcess::start(
      concertd_binary(),
      {"--listen", "127.0.0.1:0", "--data-dir", dir.file("data"), "--config", dir.file("config.json")},
      dir.file("restarted.log")));
  client = std::make_unique<HttpClient>("127.0.0.1", server->port());
  auto read = client->get("/api/v1/reservations/" + id, auth("alice"));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()["seatIds"], nlohmann::json::array({3}));
}

TEST_F(Lifecycle, TokenCommandMintsAWorkingAdminToken) {
  const auto token = run_command(concertd_binary() + " token --sub ops --role admin --data-dir " + dir.file("data"));
  ASSERT_FALSE(token.empty());
  const auto trimmed = token.substr(0, token.find('\n'));
  auto kpis = client->get("/api/v1/admin/kpis", {{"Authorization", "Bearer " + trimmed}});
  EXPECT_EQ(kpis.status, 200) << kpis.body;
}

TEST_F(Lifecycle, MigrateIsIdempotent) {
  const std::string cmd = concertd_binary() + " migrate --data-dir " + dir.file("other") + " >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace concert::testing
