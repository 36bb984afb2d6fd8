// A blocking HTTP/1.1 client for tests (Beast), keeping its connection alive.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/message.hpp"

namespace concert::testing {

struct Reply {
  int status = 0;
  http::Headers headers;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Sends as a fan's client does while a dependency comes back or the machine is
// loaded: a 503 (which must carry Retry-After) is sent again after `pause`, up
// to `attempts` sends in all. Returns the last reply.
Reply until_served(const std::function<Reply()>& send, int attempts, std::chrono::milliseconds pause);

class HttpClient {
 public:
  // With CONCERTD_TEST_SPLIT_WRITES_MS=N in the environment, every request with
  // a body is written as its headers, then after N ms its body, as
  // Python's http.client and slow mobile networks deliver it; the HTTP suites
  // run once each way (tests/CMakeLists.txt).
  HttpClient(std::string host, unsigned short port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Reply request(const std::string& method, const std::string& target, const std::string& body = "",
                const HeaderList& headers = {});
  Reply get(const std::string& target, const HeaderList& headers = {}) { return request("GET", target, "", headers); }
  Reply post(const std::string& target, const std::string& body, const HeaderList& headers = {}) {
    return request("POST", target, body, headers);
  }

  // Sends raw bytes on a fresh connection; returns what came back before the
  // server closed it or `wait` elapsed.
  std::string raw_exchange(const std::string& bytes, std::chrono::milliseconds wait);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace concert::testing
