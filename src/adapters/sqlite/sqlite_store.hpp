// The embedded profile's store: SQLite in WAL mode behind ports::Store.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "ports/store.hpp"

namespace concert::adapters::sqlite {

struct SqliteOptions {
  std::string path;
  int pool_size = 4;
  std::chrono::milliseconds acquire_timeout{2000};
};

// Opens (creating if needed) the database file and applies pending migrations.
std::unique_ptr<ports::Store> open_sqlite_store(const SqliteOptions& options);
// Applies the embedded migrations not yet recorded in schema_migrations.
void migrate_sqlite(const std::string& path);

}  // namespace concert::adapters::sqlite
