// RFC 9457 problem+json answers, and the one mapping from domain error codes to
// HTTP statuses and stable machine codes.
#pragma once

#include <string>

#include "adapters/http/message.hpp"
#include "domain/errors.hpp"

namespace concert::http {

Response problem(int status, const std::string& code, const std::string& detail);
Response problem(const domain::Error& error);
int status_of(domain::ErrorCode code);
// 401 naming the authentication scheme wanted (RFC 9110 §11.6.1), e.g. "Bearer".
Response unauthenticated(const std::string& challenge, const std::string& detail);

}  // namespace concert::http
