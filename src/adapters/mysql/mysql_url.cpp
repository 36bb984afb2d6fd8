#include "adapters/mysql/mysql_url.hpp"

#include <charconv>

namespace concert::adapters::mysql {

domain::Result<MysqlEndpoint> parse_mysql_url(const std::string& url) {
  const std::string scheme = "mysql://";
  auto bad = [&](const std::string& why) {
    return domain::fail(domain::ErrorCode::InvalidInput,
                        "bad MySQL URL (" + why + "); expected mysql://user:pass@host:port/db");
  };
  if (url.rfind(scheme, 0) != 0) return bad("scheme");
  std::string rest = url.substr(scheme.size());
  MysqlEndpoint e;
  const auto at = rest.rfind('@');
  if (at != std::string::npos) {
    const std::string credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = credentials.find(':');
    e.user = credentials.substr(0, colon);
    if (colon != std::string::npos) e.password = credentials.substr(colon + 1);
  }
  const auto slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 >= rest.size()) return bad("missing database");
  e.database = rest.substr(slash + 1);
  std::string hostport = rest.substr(0, slash);
  const auto colon = hostport.rfind(':');
  if (colon != std::string::npos) {
    const auto digits = hostport.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), e.port);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || e.port == 0 || e.port > 65535) return bad("port");
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return bad("missing host");
  e.host = hostport;
  return e;
}

}  // namespace concert::adapters::mysql
