// platform/crypto: known vectors for SHA-256 and HMAC-SHA256, random tokens,
// constant-time comparison.
#include "platform/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace concert::platform {
namespace {

bool is_lower_hex(const std::string& s) { return s.find_first_not_of("0123456789abcdef") == std::string::npos; }

TEST(Crypto, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Crypto, Sha256HandlesEmbeddedNul) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(sha256_hex(with_nul), sha256_hex("a"));
  EXPECT_EQ(sha256_hex(with_nul).size(), 64u);
}

TEST(Crypto, HmacSha256Rfc4231TestCase2) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HmacSha256Rfc4231TestCase1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(hmac_sha256_hex(key, "Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Crypto, RandomHexHasTwoDigitsPerByteAndDoesNotRepeat) {
  EXPECT_EQ(random_hex(0), "");
  for (std::size_t n : {1u, 8u, 16u, 32u}) {
    const auto s = random_hex(n);
    EXPECT_EQ(s.size(), 2 * n);
    EXPECT_TRUE(is_lower_hex(s)) << s;
  }
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) seen.insert(random_hex(16));
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "ab"));
  EXPECT_FALSE(constant_time_equals("ab", "abc"));
  EXPECT_FALSE(constant_time_equals("", "a"));
  EXPECT_TRUE(constant_time_equals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(constant_time_equals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  const auto mac = hmac_sha256_hex("k", "body");
  EXPECT_TRUE(constant_time_equals(mac, hmac_sha256_hex("k", "body")));
  EXPECT_FALSE(constant_time_equals(mac, hmac_sha256_hex("k", "body!")));
}

}  // namespace
}  // namespace concert::platform
