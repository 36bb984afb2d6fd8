// What the tests that run several `concertd --profile local` processes of their
// own (MultiInstance, RedisRestart) share: starting them, a fan's or an
// operator's bearer header, and a schedule on sale now, made through the admin API.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http_fixture.hpp"
#include "platform/crypto.hpp"
#include "support/app_fixture.hpp"
#include "support/http_client.hpp"

namespace concert::testing {

// `n` instances on the environment's CONCERTD_* settings and dir/config.json,
// each with a data folder and a log of its own in `dir`.
inline std::vector<std::unique_ptr<ServerProcess>> start_local_instances(int n, const TempDir& dir) {
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < n; ++i) {
    servers.push_back(std::make_unique<ServerProcess>(
        ServerProcess::start(concertd_binary(),
                             {"--profile", "local", "--listen", "127.0.0.1:0", "--data-dir",
                              dir.file("data" + std::to_string(i)), "--config", dir.file("config.json")},
                             dir.file("concertd" + std::to_string(i) + ".log"))));
  }
  return servers;
}

inline HeaderList bearer(const std::string& sub, std::optional<std::string> role = std::nullopt) {
  return {{"Authorization", "Bearer " + platform::mint_token(kTestSecret, sub, std::move(role), std::chrono::hours(1),
                                                             std::chrono::system_clock::now())}};
}

// One section "A" of rows x seats_per_row at 50,000; `queue` is the schedule's queue object (JSON).
inline std::int64_t create_schedule_on_sale(unsigned short admin_port, const std::string& title, int rows,
                                            int seats_per_row, const std::string& queue) {
  HttpClient admin("127.0.0.1", admin_port);
  auto concert = admin.post("/api/v1/admin/concerts", nlohmann::json{{"title", title}}.dump(), bearer("ops", "admin"));
  EXPECT_EQ(concert.status, 201) << concert.body;
  const std::string body =
      R"({"startsAt":"2030-01-01T19:00:00Z","salesOpenAt":"2020-01-01T00:00:00Z","salesCloseAt":"2030-01-01T00:00:00Z",)"
      R"("sections":[{"name":"A","grade":"R","price":50000,"rows":)" +
      std::to_string(rows) + R"(,"seatsPerRow":)" + std::to_string(seats_per_row) + R"(}],"queue":)" + queue + "}";
  auto s =
      admin.post("/api/v1/admin/concerts/" + concert.json()["id"].dump() + "/schedules", body, bearer("ops", "admin"));
  EXPECT_EQ(s.status, 201) << s.body;
  return s.json()["id"].get<std::int64_t>();
}

}  // namespace concert::testing
