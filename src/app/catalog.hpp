// Catalogue reads (public) and the cached seat map.
#pragma once

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
  domain::Result<ports::CachedSeatMap> seat_map(domain::Id schedule_id);

 private:
  AppContext& ctx_;
};

}  // namespace concert::app
