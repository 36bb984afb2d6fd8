// Rendered seat maps kept in memory (SPEC §2a: a read costs nothing when nothing
// changed). A generation number guards against caching a map that was read
// before an invalidation but stored after it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/types.hpp"

namespace concert::ports {

struct CachedSeatMap {
  std::string body;  // JSON
  std::string etag;
};

class SeatMapCache {
 public:
  virtual ~SeatMapCache() = default;
  virtual std::optional<CachedSeatMap> get(domain::Id schedule_id) = 0;
  virtual std::uint64_t generation(domain::Id schedule_id) = 0;
  // Stores only if the generation is still `generation`.
  virtual void put(domain::Id schedule_id, std::uint64_t generation, CachedSeatMap map) = 0;
  virtual void invalidate(domain::Id schedule_id) = 0;
};

}  // namespace concert::ports
