#include "bench/http/text.hpp"

#include <cstdio>

namespace concert::bench {

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace concert::bench
