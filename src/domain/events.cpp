#include "domain/events.hpp"

namespace concert::domain {

std::string event_id_of(const NewEvent& e) {
  return e.aggregate_type + "-" + std::to_string(e.aggregate_id) + "-v" + std::to_string(e.aggregate_version);
}

}  // namespace concert::domain
