#include "app/catalog.hpp"

#include "app/views.hpp"
#include "platform/crypto.hpp"

namespace concert::app {

template <typename Read>
auto Catalog::read(const Read& read) {
  if (ctx_.replica) {
    try {
      return read(*ctx_.replica->begin(ports::TxMode::Read));
    } catch (const ports::StoreUnavailable&) {
      // The replica is down, behind, or failed mid-read: the primary answers.
    }
  }
  return read(*ctx_.store.begin(ports::TxMode::Read));
}

std::vector<domain::Concert> Catalog::concerts() {
  return read([](ports::Tx& tx) { return tx.list_concerts(); });
}

domain::Result<domain::Concert> Catalog::concert(domain::Id id) {
  auto c = read([id](ports::Tx& tx) { return tx.find_concert(id); });
  if (!c) return domain::fail(domain::ErrorCode::NotFound, "no concert " + std::to_string(id));
  return *c;
}

domain::Result<std::vector<domain::Schedule>> Catalog::schedules(domain::Id concert_id) {
  return read([concert_id](ports::Tx& tx) -> domain::Result<std::vector<domain::Schedule>> {
    if (!tx.find_concert(concert_id)) {
      return domain::fail(domain::ErrorCode::NotFound, "no concert " + std::to_string(concert_id));
    }
    return tx.list_schedules(concert_id);
  });
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
  // A replica's copy may be a moment old, as a cached one may (SPEC §5): a hold
  // still decides on the primary.
  auto seats = read([schedule_id](ports::Tx& tx) -> std::optional<nlohmann::json> {
    if (!tx.find_schedule(schedule_id)) return std::nullopt;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& seat : tx.list_seats(schedule_id)) out.push_back(to_json(seat));
    return out;
  });
  if (!seats) return domain::fail(domain::ErrorCode::NotFound, "no schedule " + std::to_string(schedule_id));
  ports::CachedSeatMap map;
  map.body = nlohmann::json{{"scheduleId", schedule_id}, {"seats", std::move(*seats)}}.dump();
  map.etag = "\"" + platform::sha256_hex(map.body).substr(0, 32) + "\"";
  auto rendered = std::make_shared<const ports::CachedSeatMap>(std::move(map));
  ctx_.seat_maps.put(schedule_id, generation, rendered);
  return rendered;
}

}  // namespace concert::app
