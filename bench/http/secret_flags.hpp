// The JWT secret flags of the benchmarks that mint their own tokens:
// --jwt-secret (or CONCERTD_JWT_SECRET) or --jwt-secret-file, not both.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace concert::bench {

struct SecretFlags {
  std::string secret;
  std::string file;
};

void add_secret_flags(CLI::App& app, SecretFlags& flags);

// The secret, read from the file when one was named (trailing line ends and
// spaces dropped); empty when neither flag was given. Throws
// CLI::ValidationError when the file cannot be read.
std::string resolve_secret(const SecretFlags& flags);

}  // namespace concert::bench
