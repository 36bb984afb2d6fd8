// A whole application over one adapter set, driven directly (no HTTP): the
// contract suite and the property test run against it. `AdapterKind` selects the
// adapter set; each test gets fresh storage.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "adapters/redis/redis_client.hpp"
#include "app/services.hpp"
#include "app/workers.hpp"
#include "ports/event_sink.hpp"
#include "support/hooked_gateway.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace concert::testing {

// Embedded: SQLite + in-process queue and cache. MariaDb: the MariaDB store with
// the in-process queue. Production: MariaDB + the Redis queue and seat-map cache.
enum class AdapterKind { Embedded, MariaDb, Production };
std::string to_string(AdapterKind kind);
std::vector<AdapterKind> all_adapter_kinds();
// Why this adapter set cannot run here (its server is not configured), or empty.
// The test command sets CONCERTD_REQUIRE_BACKENDS=1, which turns a skip into a failure.
std::string unavailable_reason(AdapterKind kind);
bool backends_required();

// First in a fixture's SetUp: when `kind`'s servers are not configured here, the
// test fails if the test command requires backends, and is skipped otherwise.
// A macro because FAIL() and GTEST_SKIP() return from the function they are in.
#define CONCERT_REQUIRE_BACKEND(kind)                                                                            \
  if (const auto why_unavailable = ::concert::testing::unavailable_reason(kind); !why_unavailable.empty()) {     \
    if (::concert::testing::backends_required()) {                                                               \
      FAIL() << ::concert::testing::to_string(kind) << " backend required but unavailable: " << why_unavailable; \
    }                                                                                                            \
    GTEST_SKIP() << why_unavailable;                                                                             \
  }

// Collects published events in memory so tests can check I4.
class MemorySink final : public ports::EventSink {
 public:
  void publish(std::span<const domain::OutboxEvent> events) override;
  std::vector<domain::OutboxEvent> events() const;

 private:
  mutable std::mutex mutex_;
  std::vector<domain::OutboxEvent> events_;
};

struct AppFixture {
  explicit AppFixture(AdapterKind kind, app::AppSettings settings = {});
  ~AppFixture();

  // A concert with one schedule of `seats` seats (one section, rows of 10), on sale now.
  domain::Schedule make_schedule(int seats, domain::QueueSettings queue = {}, int max_seats_per_user = 4,
                                 domain::Money price = 50'000);
  // Enters the queue and promotes until the user is ACTIVE; returns the token.
  std::string admit(const domain::UserId& user, domain::Id schedule_id);
  // Admits the user and holds the seats; throws if the hold fails.
  domain::Reservation hold(const domain::UserId& user, domain::Id schedule_id, std::vector<domain::Id> seat_ids);
  std::string ledger_path() const { return dir.file("ledger.jsonl"); }

  TempDir dir;
  std::shared_ptr<void> database;  // a private database on the test server, dropped with the fixture
  std::unique_ptr<adapters::redis::RedisClient> redis;  // keys under a private prefix
  ManualClock clock;
  platform::Registry registry;
  app::Kpis kpis{registry};
  std::unique_ptr<ports::Store> store;
  std::unique_ptr<ports::QueueStore> queue;
  std::unique_ptr<ports::SeatMapCache> seat_maps;
  std::unique_ptr<ports::SeatLock> seat_locks;
  std::unique_ptr<HookedGateway> gateway;
  MemorySink sink;
  std::unique_ptr<app::AppContext> ctx;
  std::unique_ptr<app::Services> services;
  std::unique_ptr<app::PromotionWorker> promoter;
  std::unique_ptr<app::ExpirySweeper> sweeper;
  std::unique_ptr<app::OutboxRelay> relay;
};

}  // namespace concert::testing
