// Applies schema/mysql/*.sql (compiled in) in order, each once, recording it in
// schema_migrations. A named lock (GET_LOCK) keeps two instances starting at
// once from applying the same migration twice; MySQL commits DDL implicitly, so
// a migration is made of statements that are each safe to run once.
#include <chrono>
#include <string>
#include <string_view>

#include "adapters/mysql/connection.hpp"
#include "adapters/mysql/mysql_store.hpp"
#include "ports/store.hpp"

namespace concert::adapters::mysql {

namespace {

struct Migration {
  std::string_view name;
  std::string_view sql;
};

constexpr Migration kMigrations[] = {
#include "mysql_migrations.inc"
};

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(64) PRIMARY KEY, applied_at BIGINT NOT NULL) "
    "ENGINE=InnoDB";
constexpr std::string_view kLock = "SELECT GET_LOCK('concertd_migrate', 30)";
constexpr std::string_view kUnlock = "SELECT RELEASE_LOCK('concertd_migrate')";
constexpr std::string_view kIsApplied = "SELECT 1 FROM schema_migrations WHERE version = ?";
constexpr std::string_view kRecord = "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)";

// Statements are separated by a semicolon at the end of a line.
std::vector<std::string> split_statements(std::string_view sql) {
  std::vector<std::string> out;
  std::string current;
  std::size_t start = 0;
  while (start < sql.size()) {
    auto end = sql.find('\n', start);
    if (end == std::string_view::npos) end = sql.size();
    std::string_view line = sql.substr(start, end - start);
    start = end + 1;
    if (line.rfind("--", 0) == 0) continue;
    current.append(line).append("\n");
    if (!line.empty() && line.back() == ';') {
      current.erase(current.find_last_of(';'));
      out.push_back(current);
      current.clear();
    }
  }
  if (current.find_first_not_of(" \n\t") != std::string::npos) out.push_back(current);
  return out;
}

}  // namespace

void migrate_mysql(const ConnectionOptions& options) {
  // Not a request's connection: it waits up to 30 s for another instance's
  // migration (kLock), and a migration's ALTER TABLE takes as long as the table needs.
  ConnectionOptions migrating = options;
  migrating.call_timeout = std::chrono::minutes(10);
  Connection conn(migrating);
  conn.exec(kCreateTable);
  {
    auto lock = conn.prepare(kLock);
    if (!lock.step() || lock.int64(0) != 1) throw ports::StoreUnavailable("could not take the migration lock");
  }
  try {
    for (const auto& m : kMigrations) {
      bool applied = false;
      {
        auto st = conn.prepare(kIsApplied);
        st.bind_all(m.name);
        applied = st.step();
      }
      if (applied) continue;
      for (const auto& statement : split_statements(m.sql)) conn.exec(statement);
      auto st = conn.prepare(kRecord);
      const auto now =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      st.bind_all(m.name, static_cast<std::int64_t>(now.count())).run();
    }
  } catch (...) {
    conn.prepare(kUnlock).run();
    throw;
  }
  conn.prepare(kUnlock).run();
}

}  // namespace concert::adapters::mysql
