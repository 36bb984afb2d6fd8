// The MariaDB and Redis servers the test command starts (scripts/test-services):
// private databases and key prefixes so tests never see each other's data.
#pragma once

#include <memory>
#include <string>

#include "adapters/mysql/connection.hpp"

namespace concert::testing {

std::string env_or_empty(const char* name);
// Creates a fresh database on the test server; `guard` drops it when released.
adapters::mysql::ConnectionOptions private_database(std::shared_ptr<void>& guard);
std::string mysql_url_of(const adapters::mysql::ConnectionOptions& options);

}  // namespace concert::testing
