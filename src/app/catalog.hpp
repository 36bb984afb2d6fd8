// Catalogue reads (public) and the cached seat map.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "app/context.hpp"
#include "domain/errors.hpp"

namespace concert::app {

class Catalog {
 public:
  explicit Catalog(AppContext& ctx) : ctx_(ctx) {}

  std::vector<domain::Concert> concerts();
  domain::Result<domain::Concert> concert(domain::Id id);
  domain::Result<std::vector<domain::Schedule>> schedules(domain::Id concert_id);
  // Rendered seat map with its ETag; served from memory until a seat changes.
  // On a miss one thread per schedule renders it from the database while the
  // others wait for its result (no stampede on the database).
  domain::Result<ports::SeatMapPtr> seat_map(domain::Id schedule_id);

 private:
  // Runs `read` on the replica when there is one that is fresh, else (or when it
  // fails) on the primary.
  template <typename Read>
  auto read(const Read& read);
  std::shared_ptr<std::mutex> render_lock(domain::Id schedule_id);

  AppContext& ctx_;
  std::mutex render_locks_mutex_;
  std::map<domain::Id, std::shared_ptr<std::mutex>> render_locks_;
};

}  // namespace concert::app
