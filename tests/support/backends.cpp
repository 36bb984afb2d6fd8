#include "support/backends.hpp"

#include <cstdlib>
#include <stdexcept>

#include "platform/crypto.hpp"

namespace concert::testing {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

adapters::mysql::ConnectionOptions private_database(std::shared_ptr<void>& guard) {
  auto endpoint = adapters::mysql::parse_mysql_url(env_or_empty("CONCERTD_TEST_MYSQL_URL"));
  if (!endpoint) throw std::runtime_error(endpoint.error().detail);
  adapters::mysql::ConnectionOptions admin{*endpoint};
  const std::string name = "t_" + platform::random_hex(8);
  adapters::mysql::Connection(admin).exec("CREATE DATABASE " + name);
  guard = std::shared_ptr<void>(nullptr, [admin, name](void*) {
    try {
      adapters::mysql::Connection(admin).exec("DROP DATABASE IF EXISTS " + name);
    } catch (const std::exception&) {
      // The server is going away with the test run anyway.
    }
  });
  auto options = admin;
  options.endpoint.database = name;
  return options;
}

std::string mysql_url_of(const adapters::mysql::ConnectionOptions& o) {
  const auto& e = o.endpoint;
  return "mysql://" + e.user + ":" + e.password + "@" + e.host + ":" + std::to_string(e.port) + "/" + e.database;
}

}  // namespace concert::testing
