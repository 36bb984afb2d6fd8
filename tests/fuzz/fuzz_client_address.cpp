// libFuzzer target: who a request comes from (platform/client_address.hpp):
// TrustedProxies::parse (the trusted_proxies setting), client_address (the
// X-Forwarded-For walk) and limit_unit (what an abuse limit counts).
//
// Input: `PROXIES\nPEER\nFORWARDED-FOR`. A violated property aborts:
//  - parse fails only with InvalidInput naming trusted_proxies;
//  - without trusted proxies, or from an untrusted peer, the client is the peer;
//  - otherwise the client agrees with a model of the walk from the right: the
//    first header address that is not a trusted proxy, or the farthest address
//    read when the chain is all trusted or stops at one that does not parse;
//  - limit_unit is the address itself for IPv4 (mapped IPv6 included) and its
//    /64 for IPv6, so two addresses of one /64 share a unit.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "platform/client_address.hpp"

namespace {

namespace ip = boost::asio::ip;
using concert::platform::TrustedProxies;

void check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s\n", property);
  std::abort();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

std::optional<ip::address> parse(const std::string& text) {
  if (text.find('%') != std::string::npos) return std::nullopt;  // zones are refused (client_address.cpp)
  boost::system::error_code ec;
  auto a = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

void check_unit(const ip::address& a) {
  const auto unit = concert::platform::limit_unit(a);
  const auto plain = parse(a.to_string());
  if (plain->is_v4()) {
    check(unit == plain->to_string(), "an IPv4 address is its own unit");
    return;
  }
  check(unit.size() > 3 && unit.substr(unit.size() - 3) == "/64", "an IPv6 unit is a /64");
  auto bytes = a.to_v6().to_bytes();
  bytes[15] ^= 1;  // a neighbour in the same /64
  check(concert::platform::limit_unit(ip::address_v6(bytes)) == unit, "one /64 is one unit");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = split(std::string(reinterpret_cast<const char*>(data), size), '\n');
  if (parts.size() < 3) return 0;
  const auto proxies = TrustedProxies::parse(parts[0]);
  if (!proxies) {
    check(proxies.error().code == concert::domain::ErrorCode::InvalidInput, "a bad list is InvalidInput");
    check(proxies.error().detail.find("trusted_proxies") != std::string::npos, "the refusal names the setting");
    return 0;
  }
  const auto peer = parse(parts[1]);
  if (!peer) return 0;
  check_unit(*peer);
  const auto client = concert::platform::client_address(*peer, parts[2], *proxies);
  check_unit(client);
  if (!proxies->contains(*peer)) {
    check(client == *peer, "an untrusted peer is the client");
    return 0;
  }
  // Walk the header from the right as a model: trusted hops are skipped.
  auto expected = *peer;
  const auto hops = split(parts[2], ',');
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto a = parse(trim(*hop));
    if (!a) break;
    expected = *a;
    if (!proxies->contains(expected)) break;
  }
  check(client == expected, "the client is the nearest untrusted address of the chain");
  return 0;
}
