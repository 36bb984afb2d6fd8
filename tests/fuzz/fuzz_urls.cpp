// libFuzzer target: the URL parsers of the configuration, each with its own
// scheme: adapters::mysql::parse_mysql_url (CONCERTD_MYSQL_URL),
// adapters::redis::parse_redis_url (CONCERTD_REDIS_URL, the audit's --events) and
// platform::parse_http_url (CONCERTD_PG_URL).
//
// Input: a URL, given to each parser as it is and after the parser's scheme.
// A violated property aborts:
//  - a failure is InvalidInput with a detail;
//  - mysql://user:password@host:port/database: a success has a non-empty host
//    without '/' or '@', a port of 1..65535 (3306 unless given), a non-empty
//    database and a user without ':', and its fields written back in that form
//    parse to the same fields;
//  - redis://host:port/db: a success has a non-empty host, a port of 1..65535
//    and a db >= 0 that are the decimal numbers written (6379 and 0 unless
//    given), and its fields written back parse to the same fields;
//  - http://host[:port][/base]: a success has a non-empty host, a port of
//    1..65535 (80 unless given), a base path empty or starting with '/' and
//    without a trailing '/', and its fields written back (the host in brackets
//    when it starts with one) parse to the same fields.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/mysql/mysql_url.hpp"
#include "adapters/redis/redis_client.hpp"
#include "platform/http_client.hpp"

namespace {

using concert::domain::ErrorCode;

void check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s\n", property);
  std::abort();
}

template <typename T>
bool parsed(const concert::domain::Result<T>& result) {
  if (!result) {
    check(result.error().code == ErrorCode::InvalidInput && !result.error().detail.empty(),
          "a bad URL is InvalidInput with a detail");
  }
  return result.has_value();
}

// `text` is a decimal number without sign and its value is `value`.
bool decimal(std::string_view text, long long value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return false;
  long long n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end == text.data() + text.size() && n == value;
}

void check_mysql(const std::string& url) {
  using concert::adapters::mysql::parse_mysql_url;
  const auto e = parse_mysql_url(url);
  if (!parsed(e)) return;
  check(!e->host.empty() && e->host.find_first_of("/@") == std::string::npos, "a MySQL host is non-empty, no / or @");
  check(e->port >= 1 && e->port <= 65535, "a MySQL port is 1..65535");
  check(!e->database.empty(), "a MySQL URL names a database");
  check(e->user.find(':') == std::string::npos, "a MySQL user has no ':'");
  const auto again = parse_mysql_url("mysql://" + e->user + ":" + e->password + "@" + e->host + ":" +
                                     std::to_string(e->port) + "/" + e->database);
  check(again && again->user == e->user && again->password == e->password && again->host == e->host &&
            again->port == e->port && again->database == e->database,
        "a MySQL URL round-trips");
}

void check_redis(const std::string& url) {
  using concert::adapters::redis::parse_redis_url;
  const auto e = parse_redis_url(url);
  if (!parsed(e)) return;
  check(!e->host.empty(), "a Redis host is non-empty");
  check(e->port >= 1 && e->port <= 65535, "a Redis port is 1..65535");
  check(e->db >= 0, "a Redis db is >= 0");
  // The numbers are the ones written: the port after the authority's last ':', the db after the first '/'.
  const auto rest = std::string_view(url).substr(std::string_view("redis://").size());
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    check(decimal(authority.substr(colon + 1), e->port), "a Redis port is the number written");
  } else {
    check(e->port == 6379, "a Redis port is 6379 unless written");
  }
  if (slash != std::string_view::npos && slash + 1 < rest.size()) {
    check(decimal(rest.substr(slash + 1), e->db), "a Redis db is the number written");
  } else {
    check(e->db == 0, "a Redis db is 0 unless written");
  }
  const auto again =
      parse_redis_url("redis://" + e->host + ":" + std::to_string(e->port) + "/" + std::to_string(e->db));
  check(again && again->host == e->host && again->port == e->port && again->db == e->db, "a Redis URL round-trips");
}

void check_http(const std::string& url) {
  using concert::platform::parse_http_url;
  const auto e = parse_http_url(url);
  if (!parsed(e)) return;
  check(!e->host.empty(), "an http host is non-empty");
  check(e->port >= 1, "an http port is 1..65535");
  check(e->base_path.empty() || (e->base_path.front() == '/' && e->base_path.back() != '/'),
        "a base path starts with '/' and does not end with one");
  const auto host = e->host.starts_with('[') ? "[" + e->host + "]" : e->host;
  const auto again = parse_http_url("http://" + host + ":" + std::to_string(e->port) + e->base_path);
  check(again && again->host == e->host && again->port == e->port && again->base_path == e->base_path,
        "an http URL round-trips");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  check_mysql(url);
  check_mysql("mysql://" + url);
  check_redis(url);
  check_redis("redis://" + url);
  check_http(url);
  check_http("http://" + url);
  return 0;
}
