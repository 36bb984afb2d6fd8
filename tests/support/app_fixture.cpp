#include "support/app_fixture.hpp"

#include "adapters/inproc/queue_store.hpp"
#include "adapters/inproc/seat_lock.hpp"
#include "adapters/inproc/seat_map_cache.hpp"
#include "adapters/mysql/mysql_store.hpp"
#include "adapters/payments/sandbox_gateway.hpp"
#include "adapters/redis/queue_store.hpp"
#include "adapters/redis/seat_lock.hpp"
#include "adapters/redis/seat_map_cache.hpp"
#include "adapters/sqlite/sqlite_store.hpp"
#include "platform/crypto.hpp"
#include "support/backends.hpp"

namespace concert::testing {

std::string to_string(AdapterKind kind) {
  switch (kind) {
    case AdapterKind::Embedded:
      return "embedded";
    case AdapterKind::MariaDb:
      return "mariadb";
    case AdapterKind::Production:
      return "mariadb_redis";
  }
  return "unknown";
}

std::vector<AdapterKind> all_adapter_kinds() {
  return {AdapterKind::Embedded, AdapterKind::MariaDb, AdapterKind::Production};
}

std::string unavailable_reason(AdapterKind kind) {
  if (kind != AdapterKind::Embedded && env_or_empty("CONCERTD_TEST_MYSQL_URL").empty()) {
    return "CONCERTD_TEST_MYSQL_URL is not set (scripts/test starts a MariaDB and sets it)";
  }
  if (kind == AdapterKind::Production && env_or_empty("CONCERTD_TEST_REDIS_URL").empty()) {
    return "CONCERTD_TEST_REDIS_URL is not set (scripts/test starts a Redis and sets it)";
  }
  return "";
}

bool backends_required() { return env_or_empty("CONCERTD_REQUIRE_BACKENDS") == "1"; }

void MemorySink::publish(std::span<const domain::OutboxEvent> events) {
  std::lock_guard lock(mutex_);
  events_.insert(events_.end(), events.begin(), events.end());
}

std::vector<domain::OutboxEvent> MemorySink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

AppFixture::AppFixture(AdapterKind kind, app::AppSettings settings) {
  switch (kind) {
    case AdapterKind::Embedded:
      store = adapters::sqlite::open_sqlite_store({dir.file("test.db"), 4, std::chrono::milliseconds(5000)});
      break;
    case AdapterKind::MariaDb:
    case AdapterKind::Production:
      store = adapters::mysql::open_mysql_store({private_database(database), 8, std::chrono::milliseconds(5000)});
      break;
  }
  if (kind == AdapterKind::Production) {
    auto endpoint = adapters::redis::parse_redis_url(env_or_empty("CONCERTD_TEST_REDIS_URL"));
    if (!endpoint) throw std::runtime_error(endpoint.error().detail);
    adapters::redis::RedisOptions options;
    options.endpoint = *endpoint;
    options.key_prefix = "t_" + platform::random_hex(8) + ":";
    redis = std::make_unique<adapters::redis::RedisClient>(options);
    queue = std::make_unique<adapters::redis::RedisQueueStore>(
        *redis, adapters::redis::RedisQueueOptions{adapters::redis::queue_token_key("test"), 2'000'000,
                                                   std::chrono::milliseconds(100)});
    seat_maps = std::make_unique<adapters::redis::RedisSeatMapCache>(*redis, std::chrono::milliseconds(500));
    seat_locks = std::make_unique<adapters::redis::RedisSeatLock>(*redis);
  } else {
    queue = std::make_unique<adapters::inproc::InprocQueueStore>();
    seat_maps = std::make_unique<adapters::inproc::InprocSeatMapCache>();
    seat_locks = std::make_unique<adapters::inproc::InprocSeatLock>(clock);
  }
  gateway = std::make_unique<HookedGateway>(
      std::make_unique<adapters::payments::SandboxGateway>(adapters::payments::SandboxRules{}, ledger_path()));
  ctx = std::make_unique<app::AppContext>(
      app::AppContext{*store, *queue, *seat_maps, *seat_locks, *gateway, clock, settings, kpis});
  services = std::make_unique<app::Services>(*ctx);
  promoter = std::make_unique<app::PromotionWorker>(*ctx, services->schedules);
  sweeper = std::make_unique<app::ExpirySweeper>(*ctx);
  relay = std::make_unique<app::OutboxRelay>(*ctx, sink);
}

AppFixture::~AppFixture() = default;

domain::Schedule AppFixture::make_schedule(int seats, domain::QueueSettings queue_settings, int max_seats_per_user,
                                           domain::Money price) {
  auto concert = services->admin.create_concert("Test concert");
  app::NewSchedule s;
  const auto now = clock.now();
  s.starts_at = now + std::chrono::hours(24 * 30);
  s.sales_open_at = now;
  s.sales_close_at = now + std::chrono::hours(24 * 29);
  const int rows = (seats + 9) / 10;
  for (int r = 0; r < rows; ++r) {
    const int in_row = std::min(10, seats - r * 10);
    s.sections.push_back({"S" + std::to_string(r), "R", price, 1, in_row});
  }
  s.queue = queue_settings;
  s.max_seats_per_user = max_seats_per_user;
  auto created = services->admin.create_schedule(concert->id, s);
  if (!created) throw std::runtime_error("make_schedule: " + created.error().detail);
  return *created;
}

std::string AppFixture::admit(const domain::UserId& user, domain::Id schedule_id) {
  auto entered = services->queue.enter(user, schedule_id);
  if (!entered) throw std::runtime_error("admit: " + entered.error().detail);
  for (int i = 0; i < 10'000; ++i) {
    promoter->tick();
    auto status = services->queue.status(user, entered->token.token);
    if (status && status->token.status == domain::TokenStatus::Active) return entered->token.token;
    clock.advance(std::chrono::seconds(1));
  }
  throw std::runtime_error("admit: user never became active");
}

domain::Reservation AppFixture::hold(const domain::UserId& user, domain::Id schedule_id,
                                     std::vector<domain::Id> seat_ids) {
  const auto token = admit(user, schedule_id);
  static std::atomic<int> key{0};
  auto r =
      services->reservations.hold({user, schedule_id, std::move(seat_ids), token, "hold-" + std::to_string(++key)});
  if (!r) throw std::runtime_error("hold: " + r.error().detail);
  return *r;
}

}  // namespace concert::testing
