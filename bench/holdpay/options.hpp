// concert-holdpay's command line: what to measure (concertd over HTTP, or the
// same statements sent straight to MariaDB or SQLite) and with how many fans and
// connections.
#pragma once

#include <optional>
#include <string>

namespace concert::bench::holdpay {

enum class Target { Http, Mysql, Sqlite };

// The baseline's conditional UPDATE that takes a seat: as a hand-written JDBC
// application writes it (`id IN (?)`, resolved by primary key), or concertd's
// own text from its dialect (the id list as JSON through JSON_TABLE/json_each).
enum class HoldSql { InList, Concertd };

// Which statements the baseline sends for one hold+pay: only the essential ones
// (lean), or every statement concertd's store sends for a keyed hold and payment
// (concertd: the same rows written through the same adapter, without HTTP, Redis,
// authentication or the server's pools). The second isolates the server's own cost.
enum class Statements { Lean, Concertd };

struct HoldPayOptions {
  Target target = Target::Http;
  std::string url;          // Http: http://127.0.0.1:PORT
  std::string jwt_secret;   // Http: HS256 secret of the instance
  std::string mysql_url;    // Mysql: mysql://user:pass@127.0.0.1:port/db, concertd's schema applied
  std::string sqlite_path;  // Sqlite: a concertd.db with concertd's schema applied
  HoldSql hold_sql = HoldSql::InList;  // with Statements::Concertd: always concertd's
  Statements statements = Statements::Lean;

  int fans = 2000;  // one seat each, one hold+pay each
  int connections = 32;
  double timeout_seconds = 120;  // the whole run, set-up included
  int request_timeout_ms = 10'000;
};

struct ParsedOptions {
  std::optional<HoldPayOptions> options;  // empty: exit with exit_code (help, or a usage error)
  int exit_code = 0;
};

ParsedOptions parse_options(int argc, char** argv);

// "HTTP concertd at URL", "raw SQL on MariaDB at HOST:PORT/DB", ...
std::string describe_target(const HoldPayOptions& options);

}  // namespace concert::bench::holdpay
