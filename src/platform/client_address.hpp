// Who a request comes from, for the abuse limits of SPEC §4: the client's
// address reduced to the unit a limit counts (an IPv4 /32, an IPv6 /64, since
// one subscriber is handed a whole /64), read from X-Forwarded-For only when the
// peer is a proxy the operator trusts.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/errors.hpp"

namespace concert::platform {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // A comma-separated list of addresses and CIDR blocks ("10.0.0.0/8, ::1").
  static domain::Result<TrustedProxies> parse(std::string_view list);
  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return v4_.empty() && v6_.empty(); }

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The address a limit counts, as text: "198.51.100.7" or "2001:db8:1:2::/64".
// IPv4-mapped IPv6 peers (::ffff:a.b.c.d, a dual-stack listener) count as IPv4.
std::string limit_unit(const boost::asio::ip::address& address);

// The client of a request whose TCP peer is `peer`. Behind trusted proxies it is
// the X-Forwarded-For entry nearest to us that is not itself a trusted proxy:
// with one proxy that is the header's first address (SPEC §4), and a client
// cannot pass as someone else by sending its own X-Forwarded-For, which the
// proxy only appends to. An entry that does not parse ends the walk at the
// last address read.
boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                        std::optional<std::string_view> forwarded_for, const TrustedProxies& proxies);

}  // namespace concert::platform
