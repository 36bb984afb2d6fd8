#include "platform/client_address.hpp"

namespace concert::platform {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_commas(std::string_view list) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = list.find(',');
    out.push_back(trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

// An address as a header or the setting writes it; a zone ("fe80::1%eth0") names
// an interface of the writer's host and means nothing here.
std::optional<ip::address> parse_address(std::string_view text) {
  if (text.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

}  // namespace

domain::Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies out;
  if (trim(list).empty()) return out;
  for (const auto item : split_commas(list)) {
    const std::string text(item);
    boost::system::error_code ec;
    if (text.find('/') == std::string::npos) {
      if (auto a = parse_address(text)) {
        if (a->is_v4()) out.v4_.emplace_back(a->to_v4(), 32);
        if (a->is_v6()) out.v6_.emplace_back(a->to_v6(), 128);
        continue;
      }
    } else if (text.find(':') == std::string::npos) {
      if (auto net = ip::make_network_v4(text, ec); !ec) {
        out.v4_.push_back(net.canonical());
        continue;
      }
    } else if (auto net = ip::make_network_v6(text, ec); !ec) {
      out.v6_.push_back(net.canonical());
      continue;
    }
    return domain::fail(domain::ErrorCode::InvalidInput,
                        "trusted_proxies: '" + text + "' is not an IP address or CIDR block");
  }
  return out;
}

bool TrustedProxies::contains(const ip::address& address) const {
  const auto a = unmapped(address);
  if (a.is_v4()) {
    for (const auto& net : v4_) {
      if (ip::network_v4(a.to_v4(), net.prefix_length()).canonical() == net) return true;
    }
    return false;
  }
  for (const auto& net : v6_) {
    if (ip::network_v6(a.to_v6(), net.prefix_length()).canonical() == net) return true;
  }
  return false;
}

std::string limit_unit(const ip::address& address) {
  const auto a = unmapped(address);
  if (a.is_v4()) return a.to_string();
  // From the bytes alone: a link-local peer's zone is not part of who it is.
  return ip::network_v6(ip::address_v6(a.to_v6().to_bytes()), 64).canonical().to_string();
}

ip::address client_address(const ip::address& peer, std::optional<std::string_view> forwarded_for,
                           const TrustedProxies& proxies) {
  auto client = unmapped(peer);
  if (!forwarded_for || !proxies.contains(client)) return client;
  const auto hops = split_commas(*forwarded_for);
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    auto a = parse_address(*hop);
    if (!a) return client;  // garbage from here on: the last proxy we could trust is as far as we know
    client = *a;
    if (!proxies.contains(client)) return client;
  }
  return client;
}

}  // namespace concert::platform
