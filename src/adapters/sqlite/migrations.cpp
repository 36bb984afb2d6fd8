// Applies schema/sqlite/*.sql (compiled in) in order, each once, each in its own
// transaction, recording it in schema_migrations.
#include <chrono>
#include <string_view>
#include <utility>

#include "adapters/sqlite/connection.hpp"
#include "adapters/sqlite/sqlite_store.hpp"

namespace concert::adapters::sqlite {

namespace {

struct Migration {
  std::string_view name;
  std::string_view sql;
};

constexpr Migration kMigrations[] = {
#include "sqlite_migrations.inc"
};

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)";
constexpr std::string_view kIsApplied = "SELECT 1 FROM schema_migrations WHERE version = ?";
constexpr std::string_view kRecord = "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)";

}  // namespace

void migrate_sqlite(const std::string& path) {
  Connection conn(path);
  conn.exec(kCreateTable);
  for (const auto& m : kMigrations) {
    // IMMEDIATE: two processes migrating at once serialise instead of both applying.
    conn.exec("BEGIN IMMEDIATE");
    try {
      bool applied = false;
      {
        auto st = conn.prepare(kIsApplied);
        st.bind_all(m.name);
        applied = st.step();
      }
      if (!applied) {
        conn.exec(std::string(m.sql));  // views into the generated file are not NUL-terminated
        auto st = conn.prepare(kRecord);
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        st.bind_all(m.name, static_cast<std::int64_t>(now.count())).run();
      }
      conn.exec("COMMIT");
    } catch (...) {
      conn.exec("ROLLBACK");
      throw;
    }
  }
}

}  // namespace concert::adapters::sqlite
