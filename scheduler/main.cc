// epc-extender: parses the command line and runs the chosen command.
//
// `serve` loads the scoring config, starts the cluster state source (a fixed cluster file, or the
// Kubernetes API through a kubeconfig or the in-cluster service account), starts the HTTP server
// and then waits in sigwait for SIGINT or SIGTERM (SIGHUP re-reads the scoring config, which is
// also polled for changes). The signals are blocked before any thread
// exists, so every thread inherits the mask and the signal reaches only this wait: no handler runs
// at an arbitrary point, and shutdown is an ordinary return that stops the server after a drain
// (--shutdown-grace-period). Exit codes: 0 done, 1 a startup step failed or a second signal cut
// the drain short, 2 a command-line error.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "config/config_printer.h"
#include "config/config_watcher.h"
#include "config/scoring_config.h"
#include "model/cluster_state.h"
#include "model/epc_resources.h"
#include "scheduler/cli/command_line.h"
#include "scheduler/cli/duration.h"
#include "scheduler/consolidate/consolidate_command.h"
#include "scheduler/consolidate/consolidation_loop.h"
#include "scheduler/extender/extender_service.h"
#include "scheduler/http/guarded_thread_pool.h"
#include "scheduler/http/http_server.h"
#include "scheduler/http/router.h"
#include "scheduler/http/tls_credentials_watcher.h"
#include "scheduler/kube/api_fresh_reader.h"
#include "scheduler/kube/api_pod_binder.h"
#include "scheduler/kube/api_state_source.h"
#include "scheduler/kube/event_recorder.h"
#include "scheduler/kube/kube_connection.h"
#include "scheduler/kube/replica_identity.h"
#include "scheduler/log/component_levels.h"
#include "scheduler/log/decision_line.h"
#include "scheduler/log/logger.h"
#include "scheduler/log_sink.h"
#include "scheduler/observability/observability.h"
#include "scheduler/state/cluster_file_source.h"
#include "simulator/simulate_command.h"

namespace epc {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
// The monitoring listener takes only GETs; a body is never read there, so any small limit will do.
constexpr size_t kMonitoringBodyBytes = 64u << 10;

int usage_error(const Error& error) {
  std::cerr << "epc-extender: " << error.message << "\n"
            << "Run 'epc-extender --help' for usage.\n";
  return kExitUsage;
}

// Once `serve` has its logger, a failed startup step is its last line.
int startup_error(const Logger& logger, const Error& error) {
  logger.log(LogLevel::kError, "main", error.message);
  return kExitFailure;
}

// The scoring config in force: watched for changes when it comes from a file, else the defaults.
struct ConfigSource {
  std::unique_ptr<ConfigWatcher> watcher;  // null without --config
  std::shared_ptr<const ScoringConfig> fixed = std::make_shared<const ScoringConfig>();

  std::shared_ptr<const ScoringConfig> config() const {
    return watcher ? watcher->config() : fixed;
  }
  ExtenderService::PolicySource policy_source() const {
    if (!watcher) {
      return [policy = std::shared_ptr<const PlacementPolicy>(fixed, &fixed->policy)] {
        return policy;
      };
    }
    return [watcher = watcher.get()] { return watcher->policy(); };
  }
};

Result<ConfigSource> load_config_source(const ServeOptions& options, const LogSink& log) {
  ConfigSource source;
  if (!options.config_file) return source;
  Result<std::unique_ptr<ConfigWatcher>> watcher =
      ConfigWatcher::open(*options.config_file, {.interval = std::chrono::seconds(1), .log = log});
  if (!watcher) return watcher.error();
  source.watcher = std::move(*watcher);
  return source;
}

// With --tls-cert-file: the credentials, loaded now so that bad files fail startup. Null: plain
// HTTP.
Result<std::shared_ptr<TlsCredentialsWatcher>> load_tls(const ServeOptions& options,
                                                        const Logger& logger) {
  if (!options.tls_cert_file) return std::shared_ptr<TlsCredentialsWatcher>();
  Result<std::shared_ptr<TlsCredentialsWatcher>> tls = TlsCredentialsWatcher::open(
      {*options.tls_cert_file, *options.tls_private_key_file, options.client_ca_file},
      {.info = logger.sink(LogLevel::kInfo, "tls"),
       .warning = logger.sink(LogLevel::kWarning, "tls")});
  if (!tls) return tls.error();
  const std::shared_ptr<const TlsCredentials> credentials = (*tls)->current();
  logger.log(LogLevel::kInfo, "tls",
             "serving certificate serial " + credentials->serial() + " from " +
                 *options.tls_cert_file +
                 (credentials->verifies_clients()
                      ? "; client certificates required, signed by " + *options.client_ca_file
                      : "; no client certificates asked for"));
  return tls;
}

int check_config(const ConfigCheck& command) {
  Result<ScoringConfig> config = load_config(command.file);
  if (!config) {
    std::cerr << config.error().message << "\n";
    return kExitFailure;
  }
  std::cout << command.file << ": ok\n";
  return 0;
}

int print_config(const ConfigPrint& command) {
  Result<ScoringConfig> config = command.file ? load_config(*command.file) : ScoringConfig{};
  if (!config) {
    std::cerr << config.error().message << "\n";
    return kExitFailure;
  }
  std::cout << format_config(*config);
  return 0;
}

// The state source and, for the API, the binder that creates Bindings through it.
struct Sources {
  std::unique_ptr<StateSource> state;
  std::unique_ptr<PodBinder> binder;
  // Rechecks read with a client of their own, whose request timeout is --recheck-timeout.
  std::unique_ptr<ApiClient> recheck_client;
  std::shared_ptr<FreshReader> fresh_reader;
  // Uses the API source's client, so it is declared after `state` and goes first.
  std::unique_ptr<EventRecorder> events;
  // Consolidation lists whole clusters: a client of its own, with a longer request timeout.
  std::unique_ptr<ApiClient> consolidation_client;
  std::unique_ptr<ConsolidationLoop> consolidation;  // started once the server listens
};

// The live consolidation loop, for the Kubernetes API source only: it acts once
// consolidation.enabled is set (now or after a reload).
Result<void> make_consolidation(const KubeConnection& connection, const ConfigSource& config,
                                const Logger& logger, Sources& sources) {
  Result<std::unique_ptr<ApiClient>> client = ApiClient::create(
      connection,
      {.request_timeout = std::chrono::minutes(1), .user_agent = "epc-extender/consolidation"});
  if (!client) return client.error();
  sources.consolidation_client = std::move(*client);
  sources.consolidation = std::make_unique<ConsolidationLoop>(
      *sources.consolidation_client,
      ConsolidationLoopOptions{
          .config = [&config] { return config.config(); },
          .lease = {.lease_namespace = replica_namespace(), .identity = replica_identity()},
          .info = logger.sink(LogLevel::kInfo, "consolidation"),
          .warning = logger.sink(LogLevel::kWarning, "consolidation"),
          .events = sources.events.get()});
  return {};
}

Result<Sources> start_sources(const ServeOptions& options, const ConfigSource& config,
                              ClusterState& state, const Logger& logger) {
  Sources sources;
  if (options.cluster_file) {
    sources.state = std::make_unique<ClusterFileSource>(
        *options.cluster_file, state, logger.sink(LogLevel::kInfo, "cluster-file"));
  } else {
    Result<KubeConnection> connection = connection_for(options.kubeconfig);
    if (!connection) return connection.error();
    if (options.recheck_reads > 0) {
      Result<std::unique_ptr<ApiClient>> client = ApiClient::create(
          *connection,
          {.request_timeout = options.recheck_timeout, .user_agent = "epc-extender/recheck"});
      if (!client) return client.error();
      sources.recheck_client = std::move(*client);
      sources.fresh_reader = std::make_shared<ApiFreshReader>(
          *sources.recheck_client, state.resources(),
          FreshReaderLimits{options.recheck_qps, 2 * options.recheck_qps});
    }
    const KubeConnection consolidation_connection = *connection;
    auto api = std::make_unique<ApiStateSource>(std::move(*connection), state,
                                                logger.sink("kube", kube_line_level));
    if (Result<void> started = api->start(); !started) return started.error();
    sources.binder = std::make_unique<ApiPodBinder>(*api->client());
    sources.events =
        std::make_unique<EventRecorder>(*api->client(), logger.sink(LogLevel::kWarning, "events"));
    sources.state = std::move(api);
    if (Result<void> made = make_consolidation(consolidation_connection, config, logger, sources);
        !made) {
      return made.error();
    }
    return sources;
  }
  if (Result<void> started = sources.state->start(); !started) return started.error();
  return sources;
}

ObservabilityOptions observability_options(const ConfigSource& config, const Sources& sources) {
  const StateSource& source = *sources.state;
  ObservabilityOptions options;
  options.version = std::string(program_version());
  options.policy = config.policy_source();
  options.readiness = [&source] { return source.readiness(); };
  options.watches = [&source] { return source.watches(); };
  if (const ConfigWatcher* watcher = config.watcher.get()) {
    options.config_reloads = [watcher] {
      return ConfigReloadCounts{watcher->generation(), watcher->failures()};
    };
  }
  if (const ConsolidationLoop* loop = sources.consolidation.get()) {
    options.consolidation = [loop] { return loop->status(); };
  }
  if (const EventRecorder* events = sources.events.get()) {
    options.events = [events] {
      const EventRecorderStats stats = events->stats();
      return EventCounts{stats.posted, stats.failed, stats.suppressed_per_pod,
                         stats.dropped_rate_limited};
    };
  }
  return options;
}

sigset_t shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // not a shutdown: re-reads the scoring config
  return signals;
}

// While the server drains, a second SIGINT or SIGTERM (an impatient operator, or the kubelet's
// SIGKILL deadline approaching in a wrapper script) ends the process at once. The thread polls so
// that it can stop when the drain ends first.
std::jthread exit_on_second_signal(const Logger& logger) {
  return std::jthread([&logger](const std::stop_token& stop) {
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    const timespec tick{0, 100'000'000};
    while (!stop.stop_requested()) {
      const int received = sigtimedwait(&stops, nullptr, &tick);
      if (received <= 0) continue;
      logger.log(LogLevel::kWarning, "main",
                 std::string(strsignal(received)) + " again: exiting without waiting for requests");
      std::_Exit(kExitFailure);
    }
  });
}

int serve(const ServeOptions& options) {
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const Logger logger({.level = options.log_level, .format = options.log_format});
  // First: cpprestsdk's pool is created on first use, and these threads must be the ones that run
  // it.
  Result<std::unique_ptr<GuardedThreadPool>> threads =
      GuardedThreadPool::start(options.threads.value_or(GuardedThreadPool::default_threads()),
                               logger.sink(LogLevel::kError, "http"));
  if (!threads) return startup_error(logger, threads.error());
  Result<ConfigSource> config =
      load_config_source(options, logger.sink("config", config_line_level));
  if (!config) return startup_error(logger, config.error());
  Result<std::shared_ptr<TlsCredentialsWatcher>> tls = load_tls(options, logger);
  if (!tls) return startup_error(logger, tls.error());
  // The resource names are fixed for the process: the state parses every node and pod with them.
  ClusterState state(config->config()->resources);
  Result<Sources> sources = start_sources(options, *config, state, logger);
  if (!sources) return startup_error(logger, sources.error());
  StateSource& source = *sources->state;
  const auto readiness = [&source] { return source.readiness(); };
  // The server is built after the pages it serves, and its connection counts are read from it.
  std::atomic<const HttpServer*> listening = nullptr;
  ObservabilityOptions observability_settings = observability_options(*config, *sources);
  observability_settings.connections = [&listening] {
    const HttpServer* server = listening.load();
    return server ? server->connections() : ConnectionCounts{};
  };
  Observability observability(state, std::move(observability_settings));
  EventRecorder* const events = sources->events.get();
  const auto observe = [&observability, &logger, events](const Decision& decision) {
    observability.observe_decision(decision);
    log_decision(logger, decision);
    if (events != nullptr) events->observe(decision);
  };
  const ExtenderService service(
      state, config->policy_source(),
      {.readiness = readiness,
       .startup_wait = options.startup_wait,
       .call_after = [pool = threads->get()](
                         std::chrono::milliseconds delay,
                         std::function<void()> task) { pool->call_after(delay, std::move(task)); },
       .binder = std::move(sources->binder),
       .fresh_reader = sources->fresh_reader,
       .recheck_reads = options.recheck_reads,
       .observe = observe});
  HttpServer server({.host = options.listen.host,
                     .port = options.listen.port,
                     .prefix = options.prefix,
                     .max_body_bytes = options.max_body_bytes,
                     .version = std::string(program_version()),
                     .log = logger.sink("http", http_line_level),
                     .readiness = readiness,
                     .pages = observability.pages(),
                     .on_verb_reply =
                         [&](Verb verb, Outcome outcome, std::chrono::duration<double> took) {
                           observability.observe_reply(verb, outcome, took);
                         },
                     .connection_limits = options.connection_limits,
                     .tls = *tls},
                    service);
  // Plain HTTP on purpose: kubelet's probes carry no client certificate, and nothing served here
  // names a pod or changes state.
  std::optional<HttpServer> monitoring;
  if (const std::optional<ListenAddress>& address = options.monitoring_listen) {
    monitoring.emplace(HttpServerOptions{.host = address->host,
                                         .port = address->port,
                                         .max_body_bytes = kMonitoringBodyBytes,
                                         .version = std::string(program_version()),
                                         .log = logger.sink("http", http_line_level),
                                         .readiness = readiness,
                                         .verbs = Verbs::kNotServed,
                                         .pages = observability.monitoring_pages(),
                                         .connection_limits = options.connection_limits},
                       service);
    if (Result<void> started = monitoring->start(); !started) {
      return startup_error(logger, started.error());
    }
    logger.log(LogLevel::kInfo, "main",
               "serving /healthz, /readyz, /version and /metrics on " + monitoring->url(),
               {{"monitoring_url", monitoring->url()}});
  }
  if (Result<void> started = server.start(); !started) {
    return startup_error(logger, started.error());
  }
  listening = &server;
  logger.log(LogLevel::kInfo, "main",
             "epc-extender " + std::string(program_version()) + " listening on " + server.url(),
             {{"url", server.url()},
              {"prefix", normalize_prefix(options.prefix)},
              {"version", program_version()}});

  if (config->watcher) config->watcher->start();
  if (sources->consolidation) {
    sources->consolidation->start();
  } else if (config->config()->consolidation.enabled) {
    logger.log(LogLevel::kWarning, "main",
               "consolidation.enabled is set, but consolidation acts through the Kubernetes API "
               "and this extender reads a cluster file: it will not run");
  }
  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    if (!config->watcher) {
      logger.log(LogLevel::kInfo, "main", "SIGHUP without --config: nothing to reload");
      continue;
    }
    // Failures are logged by the watcher and keep the config in force.
    if (config->watcher->reload()) {
      logger.log(LogLevel::kInfo, "main", "SIGHUP: scoring config re-read");
    }
  }
  // Before the announcement, which tests and operators take at its word: a request after it is
  // turned away, whatever the time until stop() below begins.
  server.start_draining();
  logger.log(LogLevel::kInfo, "main",
             std::string(strsignal(received)) + ": stopping; requests already received have " +
                 format_duration(options.shutdown_grace_period) +
                 " to be answered, later ones get 503");
  {
    const std::jthread impatience = exit_on_second_signal(logger);
    // Closing a listener blocks a pool thread until its connections have ended (see add_thread).
    (*threads)->add_thread();
    server.stop(options.shutdown_grace_period);
    // Probes keep answering while the verbs drain, so kubelet sees the process until it ends.
    if (monitoring) monitoring->stop(std::chrono::seconds(1));
  }
  // Before the state source: the loop stops mid-run at its next step and releases its lease.
  if (sources->consolidation) sources->consolidation->stop();
  source.stop();
  if (config->watcher) config->watcher->stop();
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
  if (const auto* check = std::get_if<ConfigCheck>(&command)) return check_config(*check);
  if (const auto* print = std::get_if<ConfigPrint>(&command)) return print_config(*print);
  if (const auto* simulate = std::get_if<SimulateOptions>(&command)) {
    return run_simulate_command(*simulate, std::cout, std::cerr);
  }
  if (const auto* consolidate = std::get_if<ConsolidateOptions>(&command)) {
    return run_consolidate_command(*consolidate, std::cout, std::cerr);
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
