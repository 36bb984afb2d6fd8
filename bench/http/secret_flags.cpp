#include "bench/http/secret_flags.hpp"

#include <fstream>
#include <sstream>

namespace concert::bench {

void add_secret_flags(CLI::App& app, SecretFlags& flags) {
  auto* secret =
      app.add_option("--jwt-secret", flags.secret, "HS256 secret of the instances")->envname("CONCERTD_JWT_SECRET");
  app.add_option("--jwt-secret-file", flags.file, "file holding the HS256 secret")->excludes(secret);
}

std::string resolve_secret(const SecretFlags& flags) {
  if (flags.file.empty()) return flags.secret;
  std::ifstream in(flags.file);
  if (!in) throw CLI::ValidationError("--jwt-secret-file", "cannot read " + flags.file);
  std::stringstream text;
  text << in.rdbuf();
  auto secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  return secret;
}

}  // namespace concert::bench
