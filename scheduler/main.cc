// epc-extender: parses the command line and runs the chosen command.
//
// `serve` loads the scoring config and the optional cluster file, starts the HTTP server and then
// waits in sigwait for SIGINT or SIGTERM. The signals are blocked before any thread exists, so
// every thread inherits the mask and the signal reaches only this wait: no handler runs at an
// arbitrary point, and shutdown is an ordinary return that stops the server. Exit codes: 0 done,
// 1 a startup step failed, 2 a command-line error.
#include <signal.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "config/scoring_config.h"
#include "model/cluster_state.h"
#include "model/epc_resources.h"
#include "scheduler/cli/command_line.h"
#include "scheduler/extender/extender_service.h"
#include "scheduler/http/http_server.h"
#include "scheduler/http/router.h"
#include "scheduler/state/cluster_file.h"

namespace epc {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int usage_error(const Error& error) {
  std::cerr << "epc-extender: " << error.message << "\n"
            << "Run 'epc-extender --help' for usage.\n";
  return kExitUsage;
}

int startup_error(const Error& error) {
  std::cerr << "epc-extender: " << error.message << "\n";
  return kExitFailure;
}

Result<std::shared_ptr<const PlacementPolicy>> load_policy(const ServeOptions& options) {
  if (!options.config_file) return std::make_shared<const PlacementPolicy>();
  Result<PlacementPolicy> policy = load_scoring_config(*options.config_file);
  if (!policy) return policy.error();
  return std::make_shared<const PlacementPolicy>(*policy);
}

Result<void> load_cluster(const ServeOptions& options, ClusterState& state) {
  if (!options.cluster_file) return {};
  Result<ClusterFileSummary> summary = load_cluster_file(*options.cluster_file, state);
  if (!summary) return summary.error();
  std::cout << "epc-extender: loaded " << *options.cluster_file << ": " << summary->nodes
            << " nodes (" << summary->confidential_nodes << " confidential), "
            << summary->bound_pods << " bound pods, " << summary->pending_pods << " pending pods"
            << std::endl;
  return {};
}

sigset_t shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

int serve(const ServeOptions& options) {
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<std::shared_ptr<const PlacementPolicy>> policy = load_policy(options);
  if (!policy) return startup_error(policy.error());
  ClusterState state(EpcResources::defaults());
  if (Result<void> loaded = load_cluster(options, state); !loaded) {
    return startup_error(loaded.error());
  }
  const ExtenderService service(state, [policy = *policy] { return policy; });
  HttpServer server({.host = options.listen.host,
                     .port = options.listen.port,
                     .prefix = options.prefix,
                     .max_body_bytes = options.max_body_bytes,
                     .version = std::string(program_version()),
                     .log = {}},
                    service);
  if (Result<void> started = server.start(); !started) return startup_error(started.error());
  std::cout << "epc-extender " << program_version() << " listening on " << server.url()
            << " (prefix \"" << normalize_prefix(options.prefix) << "\")" << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  std::cout << "epc-extender: " << strsignal(received) << ", stopping" << std::endl;
  server.stop();
  return 0;
}

int run(const Command& command) {
  if (std::holds_alternative<ShowHelp>(command)) {
    std::cout << usage_text();
    return 0;
  }
  if (std::holds_alternative<ShowVersion>(command)) {
    std::cout << "epc-extender " << program_version() << "\n";
    return 0;
  }
  return serve(std::get<ServeOptions>(command));
}

}  // namespace
}  // namespace epc

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const epc::Result<epc::Command> command = epc::parse_command_line(args);
  if (!command) return epc::usage_error(command.error());
  return epc::run(*command);
}
