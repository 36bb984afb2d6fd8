#include "platform/client_address.hpp"

#include <gtest/gtest.h>

namespace concert::platform {
namespace {

namespace ip = boost::asio::ip;

ip::address addr(const char* text) { return ip::make_address(text); }

TrustedProxies proxies(const char* list) {
  auto parsed = TrustedProxies::parse(list);
  EXPECT_TRUE(parsed) << list;
  return parsed ? *parsed : TrustedProxies{};
}

TEST(LimitUnit, IsTheIpv4AddressOrTheIpv6Slash64) {
  EXPECT_EQ(limit_unit(addr("198.51.100.7")), "198.51.100.7");
  EXPECT_EQ(limit_unit(addr("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), "2001:db8:1:2::/64");
  // Two addresses of one subscriber's /64 are one client; the next /64 is another.
  EXPECT_EQ(limit_unit(addr("2001:db8:1:2::1")), limit_unit(addr("2001:db8:1:2:ffff::9")));
  EXPECT_NE(limit_unit(addr("2001:db8:1:2::1")), limit_unit(addr("2001:db8:1:3::1")));
  // A link-local peer's zone names our interface, not the client.
  EXPECT_EQ(limit_unit(addr("fe80::1%1")), "fe80::/64");
  // A dual-stack listener sees IPv4 clients as mapped IPv6: still counted per IPv4 address.
  EXPECT_EQ(limit_unit(addr("::ffff:198.51.100.7")), "198.51.100.7");
}

TEST(TrustedProxies, ParsesAddressesAndBlocksAndRefusesAnythingElse) {
  const auto trusted = proxies("10.0.0.0/8, 192.168.1.5,::1, fd00::/8");
  EXPECT_TRUE(trusted.contains(addr("10.200.3.4")));
  EXPECT_TRUE(trusted.contains(addr("::ffff:10.0.0.1")));
  EXPECT_TRUE(trusted.contains(addr("192.168.1.5")));
  EXPECT_FALSE(trusted.contains(addr("192.168.1.6")));
  EXPECT_TRUE(trusted.contains(addr("::1")));
  EXPECT_TRUE(trusted.contains(addr("fd12:3456::1")));
  EXPECT_FALSE(trusted.contains(addr("2001:db8::1")));
  EXPECT_FALSE(trusted.contains(addr("11.0.0.1")));
  EXPECT_TRUE(TrustedProxies::parse("").value().empty());

  for (const char* bad : {"10.0.0.0/33", "10.0.0.300", "proxy.internal", "10.0.0.0/8,,", "::1/129", "1.2.3.4/x"}) {
    const auto parsed = TrustedProxies::parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().detail.find("trusted_proxies"), std::string::npos);
  }
}

TEST(ClientAddress, IsThePeerUnlessThePeerIsATrustedProxy) {
  const auto trusted = proxies("10.0.0.0/8");
  // Without a trusted peer the header is the client's own words: ignored.
  EXPECT_EQ(client_address(addr("203.0.113.9"), "198.51.100.1", trusted), addr("203.0.113.9"));
  EXPECT_EQ(client_address(addr("203.0.113.9"), "198.51.100.1", TrustedProxies{}), addr("203.0.113.9"));
  // Behind the proxy: its first (here only) address.
  EXPECT_EQ(client_address(addr("10.0.0.2"), "198.51.100.1", trusted), addr("198.51.100.1"));
  EXPECT_EQ(client_address(addr("10.0.0.2"), std::nullopt, trusted), addr("10.0.0.2"));
  // Two proxies in a row, both trusted.
  EXPECT_EQ(client_address(addr("10.0.0.2"), "198.51.100.1, 10.1.1.1", trusted), addr("198.51.100.1"));
  // IPv6 clients, and mapped IPv4 in the header.
  EXPECT_EQ(client_address(addr("10.0.0.2"), " 2001:db8::5 ", trusted), addr("2001:db8::5"));
  EXPECT_EQ(client_address(addr("10.0.0.2"), "::ffff:198.51.100.1", trusted), addr("198.51.100.1"));
}

TEST(ClientAddress, AForgedForwardedForCannotPassAsAnotherClient) {
  const auto trusted = proxies("10.0.0.0/8");
  // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address.
  EXPECT_EQ(client_address(addr("10.0.0.2"), "1.2.3.4, 198.51.100.1", trusted), addr("198.51.100.1"));
  // Garbage beyond the real client is never reached; garbage at the end stops at the proxy.
  EXPECT_EQ(client_address(addr("10.0.0.2"), "not-an-ip, 198.51.100.1", trusted), addr("198.51.100.1"));
  EXPECT_EQ(client_address(addr("10.0.0.2"), "198.51.100.1, \xff\xfe", trusted), addr("10.0.0.2"));
  EXPECT_EQ(client_address(addr("10.0.0.2"), "", trusted), addr("10.0.0.2"));
  EXPECT_EQ(client_address(addr("10.0.0.2"), ",,,", trusted), addr("10.0.0.2"));
  // A zone in the header (found by fuzz_client_address) is not an address.
  EXPECT_EQ(client_address(addr("10.0.0.2"), "2001:db8::5%1", trusted), addr("10.0.0.2"));
  // A chain of nothing but trusted proxies: the farthest one is the client we know.
  EXPECT_EQ(client_address(addr("10.0.0.2"), "10.9.9.9, 10.8.8.8", trusted), addr("10.9.9.9"));
}

}  // namespace
}  // namespace concert::platform
