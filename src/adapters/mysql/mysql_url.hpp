// mysql://user:password@host:port/database (SPEC §7 CONCERTD_MYSQL_URL).
#pragma once

#include <string>

#include "domain/errors.hpp"

namespace concert::adapters::mysql {

struct MysqlEndpoint {
  std::string user;
  std::string password;
  std::string host;
  unsigned port = 3306;
  std::string database;
};

domain::Result<MysqlEndpoint> parse_mysql_url(const std::string& url);

}  // namespace concert::adapters::mysql
