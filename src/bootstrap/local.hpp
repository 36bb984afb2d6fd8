// The `local` / production profile (SPEC §2): MySQL/MariaDB is the source of
// truth; Redis holds the queue, the seat-map cache, the worker leases and the
// event stream. Any number of instances may run against the same pair.
#pragma once

#include "bootstrap/adapter_set.hpp"
#include "domain/errors.hpp"
#include "platform/config.hpp"

namespace concert::bootstrap {

domain::Result<AdapterSet> open_local(const platform::Config& config);
domain::Result<void> migrate_local(const platform::Config& config);

}  // namespace concert::bootstrap
