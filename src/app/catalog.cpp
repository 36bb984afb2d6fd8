#include "app/catalog.hpp"

#include "app/views.hpp"
#include "platform/crypto.hpp"

namespace concert::app {

std::vector<domain::Concert> Catalog::concerts() {
  return ctx_.store.begin(ports::TxMode::Read)->list_concerts();
}

domain::Result<domain::Concert> Catalog::concert(domain::Id id) {
  auto c = ctx_.store.begin(ports::TxMode::Read)->find_concert(id);
  if (!c) return domain::fail(domain::ErrorCode::NotFound, "no concert " + std::to_string(id));
  return *c;
}

domain::Result<std::vector<domain::Schedule>> Catalog::schedules(domain::Id concert_id) {
  auto tx = ctx_.store.begin(ports::TxMode::Read);
  if (!tx->find_concert(concert_id)) {
    return domain::fail(domain::ErrorCode::NotFound, "no concert " + std::to_string(concert_id));
  }
  return tx->list_schedules(concert_id);
}

std::shared_ptr<std::mutex> Catalog::render_lock(domain::Id schedule_id) {
  std::lock_guard lock(render_locks_mutex_);
  auto& slot = render_locks_[schedule_id];
  if (!slot) slot = std::make_shared<std::mutex>();
  return slot;
}

domain::Result<ports::SeatMapPtr> Catalog::seat_map(domain::Id schedule_id) {
  if (auto cached = ctx_.seat_maps.load(schedule_id)) return cached;
  const auto lock_of_schedule = render_lock(schedule_id);
  std::lock_guard rendering(*lock_of_schedule);
  // Whoever held the lock before us has probably just rendered it.
  if (auto cached = ctx_.seat_maps.load(schedule_id)) return cached;
  // Read the generation before the database so an invalidation that lands while
  // we read makes put() drop our (possibly stale) copy.
  const auto generation = ctx_.seat_maps.generation(schedule_id);
  auto tx = ctx_.store.begin(ports::TxMode::Read);
  auto schedule = tx->find_schedule(schedule_id);
  if (!schedule) return domain::fail(domain::ErrorCode::NotFound, "no schedule " + std::to_string(schedule_id));
  nlohmann::json seats = nlohmann::json::array();
  for (const auto& seat : tx->list_seats(schedule_id)) seats.push_back(to_json(seat));
  tx.reset();
  ports::CachedSeatMap map;
  map.body = nlohmann::json{{"scheduleId", schedule_id}, {"seats", std::move(seats)}}.dump();
  map.etag = "\"" + platform::sha256_hex(map.body).substr(0, 32) + "\"";
  auto rendered = std::make_shared<const ports::CachedSeatMap>(std::move(map));
  ctx_.seat_maps.put(schedule_id, generation, rendered);
  return rendered;
}

}  // namespace concert::app
