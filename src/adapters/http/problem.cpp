#include "adapters/http/problem.hpp"

#include <nlohmann/json.hpp>

namespace concert::http {
namespace {

struct Mapping {
  int status;
  const char* code;
};

Mapping mapping_of(domain::ErrorCode code) {
  using E = domain::ErrorCode;
  switch (code) {
    case E::InvalidInput:
      return {400, "invalid-input"};
    case E::Unauthenticated:
      return {401, "unauthenticated"};
    case E::Forbidden:
      return {403, "forbidden"};
    case E::NotFound:
      return {404, "not-found"};
    case E::SalesClosed:
      return {409, "sales-closed"};
    case E::TokenNotActive:
      return {403, "token-not-active"};
    case E::SeatTaken:
      return {409, "seat-taken"};
    case E::BadSeats:
      return {422, "bad-seats"};
    case E::SeatLimitReached:
      return {409, "seat-limit-reached"};
    case E::InvalidState:
      return {409, "invalid-state"};
    case E::PaymentInProgress:
      return {409, "payment-in-progress"};
    case E::PaymentDeclined:
      return {402, "payment-declined"};
    case E::HoldExpired:
      return {410, "hold-expired"};
    case E::KeyInFlight:
      return {409, "idempotency-key-in-flight"};
    case E::KeyReused:
      return {422, "idempotency-key-reused"};
    case E::RateLimited:
      return {429, "rate-limited"};
    case E::Unavailable:
      return {503, "unavailable"};
    case E::GatewayUnavailable:
      return {503, "gateway-unavailable"};
    case E::Replayed:
      break;  // app::Keyed sends the stored answer instead
  }
  return {500, "internal"};
}

const char* title_of(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}

}  // namespace

int status_of(domain::ErrorCode code) { return mapping_of(code).status; }

Response problem(int status, const std::string& code, const std::string& detail) {
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = nlohmann::json{{"type", "urn:concertd:problem:" + code},
                          {"title", title_of(status)},
                          {"status", status},
                          {"code", code},
                          {"detail", detail}}  // A detail may quote the client's bytes (a path, a header): invalid
                                               // UTF-8 becomes U+FFFD instead of an exception.
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Conflicts that clear by themselves, and outages, tell the client when to retry.
  if (code == "idempotency-key-in-flight" || code == "payment-in-progress") r.headers["Retry-After"] = "1";
  if (status == 503) r.headers["Retry-After"] = "2";
  return r;
}

Response problem(const domain::Error& error) {
  const auto m = mapping_of(error.code);
  return problem(m.status, m.code, error.detail);
}

Response unauthenticated(const std::string& challenge, const std::string& detail) {
  auto response = problem(401, "unauthenticated", detail);
  response.headers["WWW-Authenticate"] = challenge;
  return response;
}

}  // namespace concert::http
