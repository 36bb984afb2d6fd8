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

domain::Result<ports::CachedSeatMap> Catalog::seat_map(domain::Id schedule_id) {
  if (auto cached = ctx_.seat_maps.get(schedule_id)) return *cached;
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
  ctx_.seat_maps.put(schedule_id, generation, map);
  return map;
}

}  // namespace concert::app
