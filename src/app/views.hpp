// JSON shapes of the API's resources (SPEC §4), written once and used by both
// the HTTP routes and the outbox payloads.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "domain/types.hpp"
#include "ports/queue_store.hpp"

namespace concert::app {

std::string rfc3339(domain::TimePoint t);
std::optional<domain::TimePoint> parse_rfc3339(const std::string& text);

nlohmann::json to_json(const domain::Concert& c);
nlohmann::json to_json(const domain::Schedule& s);
nlohmann::json to_json(const domain::Seat& s);
nlohmann::json to_json(const domain::Reservation& r);
nlohmann::json to_json(const domain::Payment& p);
std::string queue_json(const domain::QueueToken& t, std::int64_t eta_seconds);
nlohmann::json to_json(const ports::Admission& a);

}  // namespace concert::app
