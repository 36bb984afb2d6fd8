// Hashes, HMAC and random tokens from OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace concert::platform {

std::string random_hex(std::size_t bytes);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
bool constant_time_equals(std::string_view a, std::string_view b);
std::string base64_encode(std::string_view data);

}  // namespace concert::platform
