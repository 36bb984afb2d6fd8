// The seat map as a fan uses it: which seats are free, best first, and how fans
// choose among them. Fans want the same good seats (front rows, middle of the
// row), which is what makes a rush collide.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace concert::bench::rush {

using SeatId = std::int64_t;

// Every seat's place in the venue's order of desirability (0 = best).
class SeatRanking {
 public:
  // From the `seats` array of GET /schedules/{id}/seats: section by name, then
  // row, then distance from the middle of the row.
  static SeatRanking from_seat_list(const nlohmann::json& seats);
  std::optional<std::size_t> rank_of(SeatId id) const;
  std::size_t size() const { return rank_.size(); }

 private:
  std::unordered_map<SeatId, std::size_t> rank_;
};

struct SeatMap {
  std::vector<SeatId> available;  // best first
  std::size_t held = 0;
  // Nothing to buy and nothing that could come back: a hold may still expire.
  bool sold_out() const { return available.empty() && held == 0; }
};

// Null when the body is not a seat map.
std::optional<SeatMap> parse_seat_map(const std::string& body, const SeatRanking& ranking);

// How many seats a fan wants: mostly pairs, up to `limit`.
int seats_wanted(std::mt19937_64& rng, int limit);

// `count` neighbouring seats among `available` minus `avoid`, starting near the
// best ones (most fans aim at the front); fewer when fewer are left.
std::vector<SeatId> pick_seats(const std::vector<SeatId>& available, const std::set<SeatId>& avoid, int count,
                               std::mt19937_64& rng);

}  // namespace concert::bench::rush
