#include "adapters/http/router.hpp"

#include "adapters/http/json_input.hpp"

namespace concert::http {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

void Router::add(Route route, std::optional<app::LimitedAction> limit) {
  auto segments = split_path(route.pattern);
  routes_.push_back({std::move(route), std::move(segments), limit});
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> out;
  for (const auto& r : routes_) out.push_back(&r.route);
  return out;
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
  RouteMatch result;
  const auto segments = split_path(path);
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    std::vector<std::int64_t> ids;
    bool matched = true;
    bool bad_id = false;
    for (std::size_t i = 0; i < segments.size() && matched; ++i) {
      if (r.segments[i] == "{id}") {
        if (auto id = parse_id(segments[i])) {
          ids.push_back(*id);
        } else {
          bad_id = true;
        }
      } else {
        matched = r.segments[i] == segments[i];
      }
    }
    if (!matched) continue;
    if (r.route.method != method) {
      result.allowed += (result.allowed.empty() ? "" : ", ") + r.route.method;
      continue;
    }
    result.route = &r.route;
    result.bad_id = bad_id;
    result.ids = std::move(ids);
    result.limit = r.limit;
    return result;
  }
  return result;
}

}  // namespace concert::http
