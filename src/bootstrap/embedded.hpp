// The embedded profile (SPEC §2): SQLite in the data dir, everything else in
// process, and exactly one instance per data dir, guarded by a lock file.
#pragma once

#include "bootstrap/adapter_set.hpp"
#include "domain/errors.hpp"
#include "platform/config.hpp"

namespace concert::bootstrap {

domain::Result<AdapterSet> open_embedded(const platform::Config& config);
std::string embedded_database_path(const platform::Config& config);

}  // namespace concert::bootstrap
