// Strict reading of JSON request bodies: a wrong type, a missing field or an
// out-of-range number is an InvalidInput error naming the field.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/errors.hpp"

namespace concert::http {

domain::Result<nlohmann::json> parse_object(const std::string& body);

domain::Result<std::int64_t> get_int(const nlohmann::json& obj, const char* field, std::int64_t min, std::int64_t max);
domain::Result<std::optional<std::int64_t>> get_optional_int(const nlohmann::json& obj, const char* field,
                                                             std::int64_t min, std::int64_t max);
domain::Result<std::string> get_string(const nlohmann::json& obj, const char* field, std::size_t max_length);
domain::Result<std::vector<std::int64_t>> get_id_list(const nlohmann::json& obj, const char* field,
                                                      std::size_t max_items);

// A path segment that must be a positive integer id.
std::optional<std::int64_t> parse_id(std::string_view text);

}  // namespace concert::http
