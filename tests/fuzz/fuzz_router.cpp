// libFuzzer target: Router, with a table from the input. Each match is checked
// against a model written from the router's contract (router.hpp): the first
// route of the path's shape and the request's method wins; `allowed` lists the
// methods of the routes of that shape tried before it (all of them on a miss);
// `{id}` segments are positive integers, else bad_id.
//
// Input: lines. Up to the first empty line, routes "METHOD PATTERN"; after it,
// requests "METHOD PATH". The seed corpus holds the product's real table.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/router.hpp"

namespace {

using concert::http::Route;
using concert::http::Router;

constexpr std::size_t kMaxRoutes = 64;
constexpr std::size_t kMaxRequests = 256;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Line {
  std::string method;
  std::string rest;  // a pattern or a path
};

Line split_line(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return {std::string(line), ""};
  return {std::string(line.substr(0, space)), std::string(line.substr(space + 1))};
}

// The router's segmentation: what follows the first character, split on '/'
// (the Api passes Request::path(), which begins with '/' for an origin-form target).
std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty()) return out;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

// A positive integer that fits in int64 (leading zeros allowed), and its value.
bool positive_id(std::string_view s, std::int64_t& value) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
  s.remove_prefix(std::min(s.find_first_not_of('0'), s.size()));
  constexpr std::string_view kMax = "9223372036854775807";
  if (s.empty() || s.size() > kMax.size() || (s.size() == kMax.size() && s > kMax)) return false;
  value = 0;
  for (const char c : s) value = value * 10 + (c - '0');
  return true;
}

bool same_shape(const std::vector<std::string_view>& pattern, const std::vector<std::string_view>& path) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (pattern[i] != "{id}" && pattern[i] != path[i]) return false;
  }
  return true;
}

void check_match(const Router& router, const std::vector<Line>& table, const Line& request) {
  const auto match = router.match(request.method, request.rest);
  const auto routes = router.routes();
  const auto path = segments_of(request.rest);

  const Route* expected = nullptr;
  std::size_t expected_index = 0;
  std::string allowed;
  for (std::size_t i = 0; i < table.size() && !expected; ++i) {
    if (!same_shape(segments_of(table[i].rest), path)) continue;
    if (table[i].method == request.method) {
      expected = routes[i];
      expected_index = i;
    } else {
      allowed += (allowed.empty() ? "" : ", ") + table[i].method;
    }
  }
  check(match.route == expected);
  check(match.allowed == allowed);
  if (!expected) {
    check(!match.bad_id && match.ids.empty());
    return;
  }
  check(match.route->method == request.method);
  const auto pattern = segments_of(table[expected_index].rest);
  check(pattern.size() == path.size());
  std::vector<std::int64_t> ids;
  bool bad_id = false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (pattern[i] != "{id}") {
      check(pattern[i] == path[i]);
      continue;
    }
    std::int64_t id = 0;
    if (positive_id(path[i], id)) {
      ids.push_back(id);
    } else {
      bad_id = true;
    }
  }
  check(match.bad_id == bad_id);
  if (!bad_id) check(match.ids == ids);
  for (const auto id : match.ids) check(id > 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Router router;
  std::vector<Line> table;
  bool routes_done = false;
  std::size_t requests = 0;
  while (!input.empty() && requests < kMaxRequests) {
    const auto newline = input.find('\n');
    const auto line = input.substr(0, newline);
    input.remove_prefix(newline == std::string_view::npos ? input.size() : newline + 1);
    if (!routes_done) {
      if (line.empty() || table.size() == kMaxRoutes) {
        routes_done = true;
        if (line.empty()) continue;
      } else {
        table.push_back(split_line(line));
        // Handlers are never called by match(); an empty one will do.
        router.add(Route{table.back().method, table.back().rest, concert::http::Access::Public, {}});
        continue;
      }
    }
    check_match(router, table, split_line(line));
    ++requests;
  }
  return 0;
}
