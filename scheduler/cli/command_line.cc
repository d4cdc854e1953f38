#include "scheduler/cli/command_line.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <set>

#include "model/quantity.h"
#include "scheduler/cli/duration.h"
#include "scheduler/wire/rfc3339.h"

#ifndef EPC_VERSION
#define EPC_VERSION "dev"
#endif

namespace epc {
namespace {

enum class Flag {
  kListen,
  kPrefix,
  kConfig,
  kClusterFile,
  kKubeconfig,
  kMaxBodyBytes,
  kLogFormat,
  kLogLevel,
  kTlsCertFile,
  kTlsPrivateKeyFile,
  kClientCaFile,
  kReadTimeout,
  kIdleTimeout,
  kMaxConnections,
  kShutdownGracePeriod,
  kMonitoringListen,
  kStartupWait,
  kRecheckReads,
  kRecheckTimeout,
  kRecheckQps,
  kThreads,
};

struct FlagName {
  std::string_view name;
  Flag flag;
};
constexpr std::array<FlagName, 21> kFlags = {
    {{"--listen", Flag::kListen},
     {"--prefix", Flag::kPrefix},
     {"--config", Flag::kConfig},
     {"--cluster-file", Flag::kClusterFile},
     {"--kubeconfig", Flag::kKubeconfig},
     {"--max-body-bytes", Flag::kMaxBodyBytes},
     {"--log-format", Flag::kLogFormat},
     {"--log-level", Flag::kLogLevel},
     {"--tls-cert-file", Flag::kTlsCertFile},
     {"--tls-private-key-file", Flag::kTlsPrivateKeyFile},
     {"--client-ca-file", Flag::kClientCaFile},
     {"--read-timeout", Flag::kReadTimeout},
     {"--idle-timeout", Flag::kIdleTimeout},
     {"--max-connections", Flag::kMaxConnections},
     {"--shutdown-grace-period", Flag::kShutdownGracePeriod},
     {"--monitoring-listen", Flag::kMonitoringListen},
     {"--startup-wait", Flag::kStartupWait},
     {"--recheck-reads", Flag::kRecheckReads},
     {"--recheck-timeout", Flag::kRecheckTimeout},
     {"--recheck-qps", Flag::kRecheckQps},
     {"--threads", Flag::kThreads}}};

std::optional<Flag> find_flag(std::string_view name) {
  for (const FlagName& entry : kFlags) {
    if (entry.name == name) return entry.flag;
  }
  return std::nullopt;
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

bool is_help(std::string_view arg) {
  return arg == "--help" || arg == "-h";
}

Result<int> parse_port(std::string_view port, std::string_view whole) {
  int value = -1;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  const bool digits_only =
      std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  if (port.empty() || port.size() > 5 || !digits_only || error != std::errc() ||
      end != port.data() + port.size() || value > 65535) {
    return make_error("invalid port " + quoted(port) + " in " + quoted(whole) +
                      ": expected 0..65535");
  }
  return value;
}

Result<ListenAddress> bracketed_address(std::string_view text) {
  const size_t close = text.find(']');
  if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
    return make_error("invalid address " + quoted(text) + ": expected [IPv6]:PORT");
  }
  const std::string_view host = text.substr(1, close - 1);
  if (host.empty()) return make_error("missing host in " + quoted(text));
  Result<int> port = parse_port(text.substr(close + 2), text);
  if (!port) return port.error();
  return ListenAddress{std::string(host), *port};
}

bool is_prefix_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
}

Result<void> check_prefix(std::string_view prefix) {
  const auto bad = std::find_if_not(prefix.begin(), prefix.end(),
                                    [](unsigned char c) { return is_prefix_char(c); });
  if (bad == prefix.end()) return {};
  return make_error("invalid character '" + std::string(1, *bad) + "' in " + quoted(prefix) +
                    ": allowed are letters, digits and / - . _ ~");
}

Result<void> assign_file(const std::string& value, std::optional<std::string>& field) {
  if (value.empty()) return make_error("needs a file name");
  field = value;
  return {};
}

template <class T>
Result<void> assign(Result<T> parsed, T& field) {
  if (!parsed) return parsed.error();
  field = std::move(*parsed);
  return {};
}

Result<size_t> parse_body_limit(std::string_view text) {
  Result<int64_t> bytes = parse_quantity(text);
  if (!bytes) return bytes.error();
  if (*bytes <= 0) return make_error("must be positive, got " + quoted(text));
  return static_cast<size_t>(*bytes);
}

Result<std::chrono::milliseconds> parse_positive_duration(std::string_view text) {
  Result<std::chrono::milliseconds> duration = parse_duration(text);
  if (!duration) return duration.error();
  if (duration->count() <= 0) return make_error("must be longer than 0, got " + quoted(text));
  return duration;
}

Result<size_t> parse_count(std::string_view text) {
  size_t count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return make_error("expected a whole number, got " + quoted(text));
  }
  return count;
}

Result<void> apply(Flag flag, const std::string& value, ServeOptions& options) {
  switch (flag) {
    case Flag::kListen: {
      Result<ListenAddress> listen = parse_listen_address(value);
      if (!listen) return listen.error();
      options.listen = std::move(*listen);
      return {};
    }
    case Flag::kPrefix: {
      if (Result<void> checked = check_prefix(value); !checked) return checked.error();
      options.prefix = value;
      return {};
    }
    case Flag::kConfig:
      return assign_file(value, options.config_file);
    case Flag::kClusterFile:
      return assign_file(value, options.cluster_file);
    case Flag::kKubeconfig:
      return assign_file(value, options.kubeconfig);
    case Flag::kMaxBodyBytes: {
      Result<size_t> limit = parse_body_limit(value);
      if (!limit) return limit.error();
      options.max_body_bytes = *limit;
      return {};
    }
    case Flag::kLogFormat: {
      Result<LogFormat> format = parse_log_format(value);
      if (!format) return format.error();
      options.log_format = *format;
      return {};
    }
    case Flag::kLogLevel: {
      Result<LogLevel> level = parse_log_level(value);
      if (!level) return level.error();
      options.log_level = *level;
      return {};
    }
    case Flag::kTlsCertFile:
      return assign_file(value, options.tls_cert_file);
    case Flag::kTlsPrivateKeyFile:
      return assign_file(value, options.tls_private_key_file);
    case Flag::kClientCaFile:
      return assign_file(value, options.client_ca_file);
    case Flag::kReadTimeout:
      return assign(parse_positive_duration(value), options.connection_limits.read_timeout);
    case Flag::kIdleTimeout:
      return assign(parse_positive_duration(value), options.connection_limits.idle_timeout);
    case Flag::kMaxConnections:
      return assign(parse_count(value), options.connection_limits.max_connections);
    case Flag::kShutdownGracePeriod:
      return assign(parse_duration(value), options.shutdown_grace_period);
    case Flag::kMonitoringListen: {
      Result<ListenAddress> listen = parse_listen_address(value);
      if (!listen) return listen.error();
      options.monitoring_listen = std::move(*listen);
      return {};
    }
    case Flag::kStartupWait:
      return assign(parse_duration(value), options.startup_wait);
    case Flag::kRecheckReads:
      return assign(parse_count(value), options.recheck_reads);
    case Flag::kRecheckTimeout:
      return assign(parse_positive_duration(value), options.recheck_timeout);
    case Flag::kRecheckQps: {
      Result<size_t> qps = parse_count(value);
      if (!qps) return qps.error();
      if (*qps == 0) return make_error("must be at least 1, got " + quoted(value));
      options.recheck_qps = static_cast<double>(*qps);
      return {};
    }
    case Flag::kThreads: {
      Result<size_t> threads = parse_count(value);
      if (!threads) return threads.error();
      if (*threads == 0 || *threads > kMaxThreads) {
        return make_error("must be 1 to " + std::to_string(kMaxThreads) + ", got " + quoted(value));
      }
      options.threads = *threads;
      return {};
    }
  }
  return make_error("unhandled flag");
}

// One flag and its value, from "--flag=value" or "--flag value".
struct FlagArgument {
  std::string name;
  std::string value;
  size_t consumed = 1;  // arguments used
};

Result<FlagArgument> split_flag(std::span<const std::string> args) {
  const std::string& arg = args.front();
  const size_t equals = arg.find('=');
  if (equals != std::string::npos)
    return FlagArgument{arg.substr(0, equals), arg.substr(equals + 1)};
  if (args.size() < 2 || args[1].starts_with("--")) return make_error(arg + " needs a value");
  return FlagArgument{arg, args[1], 2};
}

Result<void> check_tls_flags(const ServeOptions& options) {
  if (options.tls_cert_file.has_value() != options.tls_private_key_file.has_value()) {
    return make_error(
        "--tls-cert-file and --tls-private-key-file go together: give both or neither");
  }
  if (options.client_ca_file && !options.tls_cert_file) {
    return make_error(
        "--client-ca-file needs --tls-cert-file and --tls-private-key-file: client certificates "
        "are only asked for over TLS");
  }
  return {};
}

// Two listeners on one address would fail at bind with a less helpful message; port 0 on both is
// fine (each gets its own free port).
Result<void> check_listeners(const ServeOptions& options) {
  const std::optional<ListenAddress>& monitoring = options.monitoring_listen;
  if (!monitoring || monitoring->port == 0 || monitoring->port != options.listen.port) return {};
  if (monitoring->host == options.listen.host || monitoring->host == "0.0.0.0" ||
      options.listen.host == "0.0.0.0") {
    return make_error("--monitoring-listen " + monitoring->host + ":" +
                      std::to_string(monitoring->port) + " overlaps --listen " +
                      options.listen.host + ":" + std::to_string(options.listen.port) +
                      ": give the monitoring listener a port of its own");
  }
  return {};
}

Result<Command> parse_serve(std::span<const std::string> args) {
  ServeOptions options;
  std::set<Flag> seen;
  while (!args.empty()) {
    const std::string& arg = args.front();
    if (is_help(arg)) return Command{ShowHelp{}};
    if (!arg.starts_with("--")) return make_error("serve: unexpected argument " + quoted(arg));
    Result<FlagArgument> split = split_flag(args);
    if (!split) return split.error();
    const std::optional<Flag> flag = find_flag(split->name);
    if (!flag) return make_error("serve: unknown flag " + quoted(split->name));
    if (!seen.insert(*flag).second) return make_error(split->name + " given more than once");
    if (Result<void> applied = apply(*flag, split->value, options); !applied) {
      return make_error(split->name + ": " + applied.error().message);
    }
    args = args.subspan(split->consumed);
  }
  if (options.cluster_file && options.kubeconfig) {
    return make_error(
        "--cluster-file and --kubeconfig exclude each other: a fixed cluster or a live one");
  }
  if (Result<void> tls = check_tls_flags(options); !tls) return tls.error();
  if (Result<void> listeners = check_listeners(options); !listeners) return listeners.error();
  return Command{std::move(options)};
}

Result<Command> parse_config_command(std::span<const std::string> args) {
  if (args.empty())
    return make_error("config: missing subcommand: expected \"check\" or \"print\"");
  const std::string& sub = args.front();
  const std::span<const std::string> rest = args.subspan(1);
  if (is_help(sub)) return Command{ShowHelp{}};
  const auto file_arg = [&](std::string_view usage) -> Result<std::optional<std::string>> {
    if (rest.size() > 1)
      return make_error("config " + sub + ": unexpected argument " + quoted(rest[1]) +
                        "; usage: " + std::string(usage));
    if (rest.empty()) return std::optional<std::string>();
    if (rest.front().empty() || rest.front().starts_with("-")) {
      return make_error("config " + sub + ": expected a file name, got " + quoted(rest.front()));
    }
    return std::optional<std::string>(rest.front());
  };
  if (sub == "check") {
    Result<std::optional<std::string>> file = file_arg("config check FILE");
    if (!file) return file.error();
    if (!*file) return make_error("config check: missing FILE");
    return Command{ConfigCheck{**file}};
  }
  if (sub == "print") {
    Result<std::optional<std::string>> file = file_arg("config print [FILE]");
    if (!file) return file.error();
    return Command{ConfigPrint{*file}};
  }
  return make_error("config: unknown subcommand " + quoted(sub) +
                    ": expected \"check\" or \"print\"");
}

// `simulate`: each flag once except --policy; values checked here, files when the command runs.
Result<void> apply_simulate(std::string_view name, const std::string& value,
                            SimulateOptions& options) {
  const auto file = [&](std::optional<std::string>& target) -> Result<void> {
    if (value.empty()) return make_error("needs a file name");
    target = value;
    return {};
  };
  const auto count = [&](int64_t minimum) -> Result<int64_t> {
    int64_t number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (value.empty() || error != std::errc() || end != value.data() + value.size() ||
        number < minimum) {
      return make_error("expected an integer >= " + std::to_string(minimum) + ", got " +
                        quoted(value));
    }
    return number;
  };
  if (name == "--cluster") return file(options.cluster_file);
  if (name == "--trace") return file(options.trace_file);
  if (name == "--openb") return file(options.openb_dir);
  if (name == "--svg") return file(options.svg_file);
  if (name == "--generate") return file(options.generate_file);
  if (name == "--openb-epc-per-device") {
    Result<int64_t> bytes = parse_quantity(value);
    if (!bytes) return bytes.error();
    if (*bytes <= 0) return make_error("must be positive, got " + quoted(value));
    options.openb_epc_per_device = *bytes;
    return {};
  }
  if (name == "--policy") {
    const size_t equals = value.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == value.size()) {
      return make_error("expected NAME=FILE, got " + quoted(value));
    }
    const std::string policy = value.substr(0, equals);
    for (const NamedPolicyFile& existing : options.policies) {
      if (existing.name == policy) return make_error("policy " + quoted(policy) + " named twice");
    }
    if (policy == "kube-default" || policy == "kube-mostallocated") {
      return make_error(quoted(policy) + " is a built-in policy name");
    }
    options.policies.push_back({policy, value.substr(equals + 1)});
    return {};
  }
  if (name == "--seed") {
    Result<int64_t> seed = count(0);
    if (!seed) return seed.error();
    options.seed = static_cast<uint64_t>(*seed);
    return {};
  }
  if (name == "--percentage-of-nodes-to-score") {
    Result<int64_t> percentage = count(0);
    if (!percentage || *percentage > 100) {
      return make_error("expected 0..100, got " + quoted(value));
    }
    options.percentage_of_nodes_to_score = static_cast<int>(*percentage);
    return {};
  }
  if (name == "--pods") {
    Result<int64_t> pods = count(1);
    if (!pods) return pods.error();
    options.generate_pods = *pods;
    return {};
  }
  if (name == "--profile") {
    if (value != "dcsv3" && value != "dcsv2") {
      return make_error("expected dcsv3 or dcsv2, got " + quoted(value));
    }
    options.generate_profile = value;
    return {};
  }
  if (name == "--format") {
    if (value == "table") {
      options.format = ReportFormat::kTable;
    } else if (value == "csv") {
      options.format = ReportFormat::kCsv;
    } else if (value == "json") {
      options.format = ReportFormat::kJson;
    } else {
      return make_error("expected table, csv or json, got " + quoted(value));
    }
    return {};
  }
  return make_error("unknown flag");
}

Result<void> check_simulate(const SimulateOptions& options) {
  if (options.generate_file) {
    if (options.cluster_file || options.trace_file || options.openb_dir) {
      return make_error(
          "simulate --generate writes a trace; it takes no --cluster, --trace or --openb");
    }
    return {};
  }
  if (options.openb_dir && (options.cluster_file || options.trace_file)) {
    return make_error("simulate: --openb brings its own cluster and trace; drop --cluster/--trace");
  }
  if (!options.openb_dir && !(options.cluster_file && options.trace_file)) {
    return make_error("simulate: needs --cluster FILE and --trace FILE, or --openb DIR");
  }
  return {};
}

Result<Command> parse_simulate(std::span<const std::string> args) {
  static const std::set<std::string_view> kNames = {
      "--cluster",  "--trace",   "--openb",  "--openb-epc-per-device",
      "--policy",   "--seed",    "--format", "--svg",
      "--generate", "--profile", "--pods",   "--percentage-of-nodes-to-score"};
  SimulateOptions options;
  std::set<std::string> seen;
  while (!args.empty()) {
    const std::string& arg = args.front();
    if (is_help(arg)) return Command{ShowHelp{}};
    if (!arg.starts_with("--")) return make_error("simulate: unexpected argument " + quoted(arg));
    Result<FlagArgument> split = split_flag(args);
    if (!split) return split.error();
    if (!kNames.contains(split->name)) {
      return make_error("simulate: unknown flag " + quoted(split->name));
    }
    if (split->name != "--policy" && !seen.insert(split->name).second) {
      return make_error(split->name + " given more than once");
    }
    if (Result<void> applied = apply_simulate(split->name, split->value, options); !applied) {
      return make_error(split->name + ": " + applied.error().message);
    }
    args = args.subspan(split->consumed);
  }
  if (Result<void> checked = check_simulate(options); !checked) return checked.error();
  return Command{std::move(options)};
}

// `consolidate`: each flag once.
Result<void> apply_consolidate(std::string_view name, const std::string& value,
                               ConsolidateOptions& options) {
  if (name == "--cluster-file") {
    options.cluster_file = value;
  } else if (name == "--kubeconfig") {
    options.kubeconfig = value;
  } else if (name == "--config") {
    options.config_file = value;
  } else if (name == "--format") {
    if (value == "table") {
      options.format = PlanFormat::kTable;
    } else if (value == "json") {
      options.format = PlanFormat::kJson;
    } else {
      return make_error("expected table or json, got " + quoted(value));
    }
  } else if (name == "--now") {
    Result<int64_t> now = parse_rfc3339(value);
    if (!now) return now.error();
    options.now_unix_seconds = *now;
  } else {
    return make_error("unknown flag");
  }
  return {};
}

Result<Command> parse_consolidate(std::span<const std::string> args) {
  static const std::set<std::string_view> kNames = {"--cluster-file", "--kubeconfig", "--config",
                                                    "--format", "--now"};
  ConsolidateOptions options;
  std::set<std::string> seen;
  while (!args.empty()) {
    const std::string& arg = args.front();
    if (is_help(arg)) return Command{ShowHelp{}};
    if (!arg.starts_with("--")) {
      return make_error("consolidate: unexpected argument " + quoted(arg));
    }
    Result<FlagArgument> split = split_flag(args);
    if (!split) return split.error();
    if (!kNames.contains(split->name)) {
      return make_error("consolidate: unknown flag " + quoted(split->name));
    }
    if (!seen.insert(split->name).second) return make_error(split->name + " given more than once");
    if (Result<void> applied = apply_consolidate(split->name, split->value, options); !applied) {
      return make_error(split->name + ": " + applied.error().message);
    }
    args = args.subspan(split->consumed);
  }
  if (options.cluster_file && options.kubeconfig) {
    return make_error("consolidate: --cluster-file and --kubeconfig exclude each other");
  }
  return Command{std::move(options)};
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  if (text.empty()) return make_error("empty address: expected HOST:PORT");
  if (text.front() == '[') return bracketed_address(text);
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return make_error("missing port in " + quoted(text) + ": expected HOST:PORT");
  }
  const std::string_view host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos) {
    return make_error("IPv6 address in " + quoted(text) + " needs brackets, e.g. [::1]:8888");
  }
  if (host.empty()) return make_error("missing host in " + quoted(text));
  Result<int> port = parse_port(text.substr(colon + 1), text);
  if (!port) return port.error();
  return ListenAddress{std::string(host), *port};
}

Result<Command> parse_command_line(std::span<const std::string> args) {
  if (args.empty()) {
    return make_error("missing command: expected \"serve\", \"--help\" or \"--version\"");
  }
  const std::string& command = args.front();
  if (is_help(command) || command == "help") return Command{ShowHelp{}};
  if (command == "--version" || command == "version") return Command{ShowVersion{}};
  if (command == "serve") return parse_serve(args.subspan(1));
  if (command == "config") return parse_config_command(args.subspan(1));
  if (command == "simulate") return parse_simulate(args.subspan(1));
  if (command == "consolidate") return parse_consolidate(args.subspan(1));
  if (command.starts_with("-")) return make_error("unknown flag " + quoted(command));
  return make_error("unknown command " + quoted(command));
}

std::string usage_text() {
  return R"(Usage:
  epc-extender serve [flags]   serve the scheduler extender over HTTP
  epc-extender --help          show this text (also: help, serve --help)
  epc-extender --version       show the version
  epc-extender config check FILE
                               validate a scoring config; prints every problem, exits 1 if any
  epc-extender config print [FILE]
                               print the effective scoring config (defaults filled in) as YAML
  epc-extender simulate --cluster FILE --trace FILE [flags]
  epc-extender simulate --openb DIR [flags]
                               replay a pod trace under kube-scheduler alone and each epc-extender
                               strategy and print the comparison (docs/simulator.md)
  epc-extender simulate --generate FILE [--profile dcsv3|dcsv2] [--pods N] [--seed N]
                               write a synthetic trace (CSV)
  epc-extender consolidate [--cluster-file FILE | --kubeconfig FILE] [flags]
                               plan which confidential nodes to empty by moving their pods, and
                               print the plan; evicts nothing (docs/consolidation.md)

Flags of serve (--flag value or --flag=value):
  --listen ADDR:PORT     address to listen on (default 127.0.0.1:8888; port 0 picks a free one):
                         the verbs, /status and /debug/state (which name pods), and, unless
                         --monitoring-listen is given, everything else too
  --monitoring-listen ADDR:PORT
                         a second listener, always plain HTTP, serving only GET /healthz,
                         /readyz, /version and /metrics, for kubelet probes and Prometheus;
                         nothing on it names a pod or changes state (default: none)
  --prefix PATH          URL path before the verbs, as in kube-scheduler's urlPrefix
                         (default: none, i.e. POST /filter, /prioritize, /bind, /preempt)
  --config FILE          scoring config, YAML or JSON (default: built-in defaults)
  --cluster-file FILE    serve a fixed cluster from a kubectl List (kubectl get nodes,pods -A
                         -o json) instead of the Kubernetes API; for demos and tests
  --kubeconfig FILE      watch the cluster through this kubeconfig's current context
                         (default: the in-cluster service account)
  --max-body-bytes N     largest request body accepted, a quantity such as 64Mi (default 64Mi)
  --log-format FORMAT    json (default): one JSON object per line on stderr; text: klog-style lines
  --log-level LEVEL      debug, info (default), warning or error; debug adds one line per
                         filter/prioritize/bind/preempt call with its pod, outcome and reasons
  --tls-cert-file FILE   serve HTTPS (TLS 1.2 or later) with this PEM certificate, leaf first,
                         then intermediates; needs --tls-private-key-file. Both files are
                         re-read when they change (checked at most once a second)
  --tls-private-key-file FILE
                         the certificate's PEM private key (unencrypted)
  --client-ca-file FILE  require a client certificate signed by a CA in this PEM bundle (mTLS);
                         needs the two flags above
  --read-timeout DURATION
                         close a connection whose request is not received and answered within
                         this long (default 30s; durations as in Go: 1m30s, 500ms)
  --idle-timeout DURATION
                         close a connection with no traffic either way for this long (default 2m,
                         above the 90s after which kube-scheduler's client drops idle connections)
  --max-connections N    beyond N open connections, close the longest-stalled ones (default 1000;
                         0: no limit). Deadlines and the limit are checked once a second
  --shutdown-grace-period DURATION
                         on SIGTERM or SIGINT, time given to requests already received to be
                         answered; later ones get 503 (default 10s; a second signal exits at once)
  --startup-wait DURATION
                         a verb that arrives before the first lists of nodes and pods are in
                         waits up to this long for them before it is answered "not ready"
                         (default 3s, below kube-scheduler's default 5s httpTimeout; 0: no wait)
  --recheck-reads N      before filter turns a pod away on every node, read up to N of the nodes
                         and pods that decided it afresh from the API server, since
                         kube-scheduler often retries before this extender's watch has seen what
                         freed room (default 16; 0: never). Not with --cluster-file
  --recheck-timeout DURATION
                         how long those reads may take before filter answers from its view
                         (default 1s)
  --recheck-qps N        such reads per second across all filters, in bursts of up to 2N
                         (default 50)
  --threads N            threads that serve every connection, HTTP and API alike, all
                         asynchronously (default 1; more only for Nodes-mode requests at
                         thousands of nodes)

Flags of simulate:
  --cluster FILE         node pools (YAML: name, count, epc, cpu, memory, labels), or a kubectl
                         List of nodes (JSON: kubectl get nodes -o json)
  --trace FILE           pods (CSV: arrival_seconds,duration_seconds,namespace,name,priority,epc,
                         cpu,memory; or JSON Lines with the same keys for FILE.jsonl)
  --openb DIR            the openb trace's two CSVs instead: GPU nodes become confidential nodes
  --openb-epc-per-device Q
                         EPC per GPU and per whole-GPU request under --openb (default 8Gi)
  --policy NAME=FILE     an epc-extender strategy given by a scoring config; repeatable (default:
                         binpack, bestfit, ratio and spread from simulator/policies/). kube-default
                         and kube-mostallocated always run
  --seed N               random tie-breaking, and the generator's seed (default 1)
  --percentage-of-nodes-to-score N
                         kube-scheduler's setting: 0 (default) is its adaptive default for
                         clusters of 100 nodes or more, 100 scores every feasible node
  --format FORMAT        table (default), csv or json
  --svg FILE             also write a plot of confidential nodes in use over time

Flags of consolidate:
  --cluster-file FILE    plan for a kubectl List (kubectl get nodes,pods,pdb -A -o json) instead
                         of the cluster itself
  --kubeconfig FILE      read nodes, pods and PodDisruptionBudgets through this kubeconfig's
                         current context (default: the in-cluster service account)
  --config FILE          scoring config: its policy decides where pods may land, its
                         consolidation section the budgets and limits (default: built-in)
  --format FORMAT        table (default) or json
  --now TIME             judge pods' ages at this RFC 3339 time instead of now, e.g.
                         2026-12-06T12:00:00Z

Endpoints: POST {prefix}/filter|prioritize|bind|preempt; GET /healthz, /readyz, /version,
/metrics, /status, /debug/state.
)";
}

std::string_view program_version() {
  return EPC_VERSION;
}

}  // namespace epc
