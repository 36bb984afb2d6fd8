// Boost's assertions in the fuzz build (BOOST_ENABLE_ASSERT_HANDLER): each one
// fails the run, except one that Beast 1.74 gets wrong. parse_chunk_header asserts
// n >= 5 when a last chunk's "0\r\n" and the next "\r" arrive in separate reads,
// a legal stream that the code after it handles (it waits for the blank line);
// upstream corrected the assertion in boostorg/beast#2861 (2024).
#include <boost/assert.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace boost {

void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  if (std::strcmp(expr, "n >= 5") == 0 && std::strstr(function, "parse_chunk_header")) return;
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion `%s' failed\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file, long line) {
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}

}  // namespace boost
