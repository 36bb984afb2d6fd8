// Rendered seat maps kept in memory (SPEC §2a: a read costs nothing when nothing
// changed). A generation number guards against caching a map that was read
// before an invalidation but stored after it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "domain/types.hpp"

namespace concert::ports {

struct CachedSeatMap {
  std::string body;  // JSON
  std::string etag;
};

using SeatMapPtr = std::shared_ptr<const CachedSeatMap>;  // shared, never copied per request

class SeatMapCache {
 public:
  virtual ~SeatMapCache() = default;
  // This process's copy, if it holds a fresh one. Memory only and never blocks:
  // the IO threads call it on every seat-map read.
  virtual SeatMapPtr get(domain::Id schedule_id) = 0;
  // get(), else the copy shared between instances (if any), kept here from then
  // on. May block on the network: blocking-pool threads only.
  virtual SeatMapPtr load(domain::Id schedule_id) = 0;
  virtual std::uint64_t generation(domain::Id schedule_id) = 0;
  // Stores only if the generation is still `generation`.
  virtual void put(domain::Id schedule_id, std::uint64_t generation, SeatMapPtr map) = 0;
  virtual void invalidate(domain::Id schedule_id) = 0;
};

}  // namespace concert::ports
