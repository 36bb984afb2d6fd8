// The production profile's store: MySQL 8 / MariaDB >= 10.6 behind ports::Store.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "adapters/mysql/connection.hpp"
#include "platform/outage_gate.hpp"
#include "ports/store.hpp"

namespace concert::adapters::mysql {

struct MysqlOptions {
  ConnectionOptions connection;
  int pool_size = 8;
  std::chrono::milliseconds acquire_timeout{2000};
  // While MySQL is down, transactions are refused at once but for one probe a
  // second: a probe may hold a pool thread for the 1 s connect timeout, so more
  // often would fill the pool with probes.
  platform::OutageGate::Options outage = {2, std::chrono::milliseconds(1000)};
};

// Connects lazily: the pool opens connections as they are needed, drops broken
// ones and opens new ones, so the store recovers by itself after a database restart.
std::unique_ptr<ports::Store> open_mysql_store(const MysqlOptions& options);
// A read replica: no migrations (its schema comes by replication) and no
// connection at start, so a replica that is down does not keep concertd from serving.
std::unique_ptr<ports::Store> open_mysql_replica(const MysqlOptions& options);
// Applies the embedded migrations not yet recorded in schema_migrations.
void migrate_mysql(const ConnectionOptions& options);

}  // namespace concert::adapters::mysql
