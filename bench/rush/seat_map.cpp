#include "bench/rush/seat_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <tuple>

namespace concert::bench::rush {

SeatRanking SeatRanking::from_seat_list(const nlohmann::json& seats) {
  std::map<std::string, int> seats_per_row;  // by section: the highest seat number
  for (const auto& s : seats) {
    auto& widest = seats_per_row[s.value("section", "")];
    widest = std::max(widest, s.value("number", 0));
  }
  using Key = std::tuple<std::string, int, int, SeatId>;
  std::vector<Key> keys;
  keys.reserve(seats.size());
  for (const auto& s : seats) {
    const auto section = s.value("section", "");
    const int row = std::atoi(s.value("row", "0").c_str());
    const int off_centre = std::abs(2 * s.value("number", 0) - (seats_per_row[section] + 1));
    keys.emplace_back(section, row, off_centre, s.value("id", SeatId{0}));
  }
  std::sort(keys.begin(), keys.end());
  SeatRanking ranking;
  for (std::size_t i = 0; i < keys.size(); ++i) ranking.rank_[std::get<3>(keys[i])] = i;
  return ranking;
}

std::optional<std::size_t> SeatRanking::rank_of(SeatId id) const {
  const auto it = rank_.find(id);
  if (it == rank_.end()) return std::nullopt;
  return it->second;
}

std::optional<SeatMap> parse_seat_map(const std::string& body, const SeatRanking& ranking) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("seats") || !j["seats"].is_array()) return std::nullopt;
  SeatMap map;
  std::vector<std::pair<std::size_t, SeatId>> free;
  for (const auto& s : j["seats"]) {
    const auto status = s.value("status", "");
    const auto id = s.value("id", SeatId{0});
    if (status == "AVAILABLE") {
      free.emplace_back(ranking.rank_of(id).value_or(ranking.size()), id);
    } else if (status == "HELD") {
      ++map.held;
    }
  }
  std::sort(free.begin(), free.end());
  map.available.reserve(free.size());
  for (const auto& [rank, id] : free) map.available.push_back(id);
  return map;
}

int seats_wanted(std::mt19937_64& rng, int limit) {
  // 1: 25 %, 2: 45 %, 3: 15 %, 4: 15 %.
  std::discrete_distribution<int> sizes({25, 45, 15, 15});
  return std::min(limit, sizes(rng) + 1);
}

std::vector<SeatId> pick_seats(const std::vector<SeatId>& available, const std::set<SeatId>& avoid, int count,
                               std::mt19937_64& rng) {
  std::vector<SeatId> candidates;
  candidates.reserve(available.size());
  for (auto id : available) {
    if (!avoid.contains(id)) candidates.push_back(id);
  }
  if (candidates.empty() || count < 1) return {};
  const auto n = candidates.size();
  const auto take = std::min(n, static_cast<std::size_t>(count));
  // u^3 piles the starting points up at the front: half the fans aim at the
  // best eighth of what is left.
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  auto start = std::min(static_cast<std::size_t>(static_cast<double>(n) * u * u * u), n - 1);
  start = std::min(start, n - take);
  return {candidates.begin() + static_cast<std::ptrdiff_t>(start),
          candidates.begin() + static_cast<std::ptrdiff_t>(start + take)};
}

}  // namespace concert::bench::rush
