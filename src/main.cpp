// Composition root: reads the configuration, picks the adapter set of the
// profile, wires the use cases, the workers and the HTTP server, and runs until
// SIGTERM/SIGINT.
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <thread>

#include "bootstrap/embedded.hpp"
#include "bootstrap/consume_events.hpp"
#include "bootstrap/serve.hpp"
#include "platform/config.hpp"
#include "platform/jwt.hpp"
#include "platform/logging.hpp"

using namespace concert;

namespace {

struct CommandLine {
  std::string config_path;
  std::string profile;
  std::string listen;
  std::string data_dir;
  std::string workers;
  bool demo = false;
};

// Defaults of the profile, then the config file, then the environment, then flags.
domain::Result<platform::Config> load_config(const CommandLine& cli) {
  std::string profile = cli.profile;
  if (profile.empty()) profile = std::getenv("CONCERTD_PROFILE") ? std::getenv("CONCERTD_PROFILE") : "embedded";
  auto config = platform::defaults_for(profile);
  if (!cli.config_path.empty()) {
    if (auto ok = platform::apply_file(config, cli.config_path); !ok) return tl::unexpected(ok.error());
  }
  auto getenv = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  if (auto ok = platform::apply_env(config, getenv); !ok) return tl::unexpected(ok.error());
  if (!cli.profile.empty()) config.profile = cli.profile;
  if (!cli.listen.empty()) {
    auto listen = platform::parse_listen(cli.listen);
    if (!listen) return tl::unexpected(listen.error());
    std::tie(config.listen_host, config.listen_port) = *listen;
  }
  if (!cli.data_dir.empty()) config.data_dir = cli.data_dir;
  if (!cli.workers.empty()) {
    auto workers = platform::parse_workers(cli.workers);
    if (!workers) return tl::unexpected(workers.error());
    config.workers = *workers;
  }
  if (cli.demo) config.demo = true;
  return config;
}

int fail_with(const std::string& message) {
  std::cerr << "concertd: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli_app{"concertd: concert ticket reservation server"};
  CommandLine cli;
  auto add_common = [&cli](CLI::App* app) {
    app->add_option("--config", cli.config_path, "JSON configuration file");
    app->add_option("--profile", cli.profile, "embedded (default) or local");
    app->add_option("--data-dir", cli.data_dir, "directory of the embedded storage");
  };
  add_common(&cli_app);
  cli_app.add_option("--listen", cli.listen, "HOST:PORT to serve on (default 127.0.0.1:8080)");
  cli_app.add_option("--workers", cli.workers, "background workers to run: all, none, or a list");
  cli_app.add_flag("--demo", cli.demo, "seed a demo concert when the store is empty");

  auto* serve = cli_app.add_subcommand("serve", "serve the API (the default)");
  add_common(serve);
  serve->add_option("--listen", cli.listen, "HOST:PORT to serve on");
  serve->add_option("--workers", cli.workers, "background workers to run: all, none, or a list");
  serve->add_flag("--demo", cli.demo, "seed a demo concert when the store is empty");

  auto* token = cli_app.add_subcommand("token", "print a JWT signed with the configured secret");
  add_common(token);
  std::string sub, role;
  long ttl = 3600;
  token->add_option("--sub", sub, "user id (JWT sub)")->required();
  token->add_option("--role", role, "role claim, e.g. admin");
  token->add_option("--ttl", ttl, "lifetime in seconds")->check(CLI::Range(1L, 31L * 24 * 3600));

  auto* migrate = cli_app.add_subcommand("migrate", "apply schema migrations (idempotent)");
  add_common(migrate);

  auto* events = cli_app.add_subcommand("events", "print the event stream (local profile), each event once");
  add_common(events);
  bootstrap::ConsumeOptions consume;
  events->add_option("--group", consume.group, "consumer group: each group sees every event once");
  events->add_option("--consumer", consume.consumer, "this consumer's name within the group");
  events->add_flag("--follow", consume.follow, "keep reading new events until interrupted");

  CLI11_PARSE(cli_app, argc, argv);

  auto config = load_config(cli);
  if (!config) return fail_with(config.error().detail);
  platform::init_logging(config->log_level);
  const platform::LoggingGuard logging_guard;

  if (*events) {
    auto ok = bootstrap::consume_events(*config, consume);
    return ok ? 0 : fail_with(ok.error().detail);
  }
  if (*migrate) {
    auto ok = bootstrap::migrate(*config);
    return ok ? 0 : fail_with(ok.error().detail);
  }
  auto secret_note = platform::ensure_jwt_secret(*config);
  if (!secret_note) return fail_with(secret_note.error().detail);
  if (*token) {
    std::optional<std::string> role_claim = role.empty() ? std::nullopt : std::optional<std::string>(role);
    std::cout << platform::mint_token(config->jwt_secret, sub, role_claim, std::chrono::seconds(ttl),
                                      std::chrono::system_clock::now())
              << "\n";
    return 0;
  }
  if (!secret_note->empty()) spdlog::info("{}", *secret_note);
  auto served = bootstrap::serve(*config);
  return served ? 0 : fail_with(served.error().detail);
}
