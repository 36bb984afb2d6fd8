// Plain request/response values passed between the Beast transport (server.cpp)
// and the routes. Keeps Beast out of every header but server.cpp's.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace concert::http {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path plus query, as received
  Headers headers;
  std::string body;
  std::string remote_address;

  std::optional<std::string> header(const std::string& name) const;
  std::string path() const;  // target without the query string
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  // Sent instead of `body` when set, without copying it: a cached seat map is
  // one string shared by every reader until it changes.
  std::shared_ptr<const std::string> shared_body;
  // The transport sends nothing and closes the connection: an answer lost on
  // the way (the gateway simulator's --lost-answer-rate).
  bool close_without_answer = false;

  const std::string& payload() const { return shared_body ? *shared_body : body; }
};

}  // namespace concert::http
