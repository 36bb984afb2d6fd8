#include "adapters/http/json_input.hpp"

#include <charconv>

namespace concert::http {

using domain::ErrorCode;
using domain::fail;

domain::Result<nlohmann::json> parse_object(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail(ErrorCode::InvalidInput, "the body is not valid JSON");
  if (!j.is_object()) return fail(ErrorCode::InvalidInput, "the body must be a JSON object");
  return j;
}

domain::Result<std::int64_t> get_int(const nlohmann::json& obj, const char* field, std::int64_t min, std::int64_t max) {
  auto it = obj.find(field);
  if (it == obj.end()) return fail(ErrorCode::InvalidInput, std::string("missing field ") + field);
  if (!it->is_number_integer()) return fail(ErrorCode::InvalidInput, std::string(field) + " must be an integer");
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    return fail(ErrorCode::InvalidInput, std::string(field) + " is out of range");
  }
  const auto v = it->get<std::int64_t>();
  if (v < min || v > max) {
    return fail(ErrorCode::InvalidInput,
                std::string(field) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return v;
}

domain::Result<std::optional<std::int64_t>> get_optional_int(const nlohmann::json& obj, const char* field,
                                                             std::int64_t min, std::int64_t max) {
  if (!obj.contains(field) || obj.at(field).is_null()) return std::optional<std::int64_t>{};
  auto v = get_int(obj, field, min, max);
  if (!v) return tl::unexpected(v.error());
  return std::optional<std::int64_t>{*v};
}

domain::Result<std::string> get_string(const nlohmann::json& obj, const char* field, std::size_t max_length) {
  auto it = obj.find(field);
  if (it == obj.end()) return fail(ErrorCode::InvalidInput, std::string("missing field ") + field);
  if (!it->is_string()) return fail(ErrorCode::InvalidInput, std::string(field) + " must be a string");
  auto s = it->get<std::string>();
  if (s.empty() || s.size() > max_length) {
    return fail(ErrorCode::InvalidInput,
                std::string(field) + " must be 1.." + std::to_string(max_length) + " characters");
  }
  return s;
}

domain::Result<std::vector<std::int64_t>> get_id_list(const nlohmann::json& obj, const char* field,
                                                      std::size_t max_items) {
  auto it = obj.find(field);
  if (it == obj.end()) return fail(ErrorCode::InvalidInput, std::string("missing field ") + field);
  if (!it->is_array()) return fail(ErrorCode::InvalidInput, std::string(field) + " must be an array of integers");
  if (it->size() > max_items) {
    return fail(ErrorCode::InvalidInput, std::string(field) + " has more than " + std::to_string(max_items) + " items");
  }
  std::vector<std::int64_t> ids;
  for (const auto& v : *it) {
    if (!v.is_number_integer())
      return fail(ErrorCode::InvalidInput, std::string(field) + " must contain integers only");
    ids.push_back(v.get<std::int64_t>());
  }
  return ids;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace concert::http
