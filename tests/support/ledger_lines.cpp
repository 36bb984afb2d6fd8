#include "support/ledger_lines.hpp"

#include <fstream>

namespace concert::testing {

int ledger_lines(const std::string& path, const std::string& kind, const std::string& key) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    n += line.find("\"kind\":\"" + kind + "\"") != std::string::npos &&
         (key.empty() || line.find("\"key\":\"" + key + "\"") != std::string::npos);
  }
  return n;
}

}  // namespace concert::testing
