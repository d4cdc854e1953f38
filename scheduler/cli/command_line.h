// The epc-extender command line, parsed into a value.
//
//   epc-extender serve [--listen ADDR:PORT] [--monitoring-listen ADDR:PORT] [--prefix PATH]
//                      [--config FILE]
//                      [--cluster-file FILE | --kubeconfig FILE] [--max-body-bytes N]
//                      [--log-format json|text] [--log-level debug|info|warning|error]
//                      [--tls-cert-file FILE --tls-private-key-file FILE [--client-ca-file FILE]]
//                      [--read-timeout D] [--idle-timeout D] [--max-connections N]
//                      [--shutdown-grace-period D] [--startup-wait D]
//                      [--recheck-reads N] [--recheck-timeout D] [--recheck-qps N]
//                      [--threads N]
//   epc-extender --help | help | serve --help
//   epc-extender --version | version
//   epc-extender config check FILE | config print [FILE]
//   epc-extender simulate (--cluster FILE --trace FILE | --openb DIR) [--policy NAME=FILE]...
//                         [--seed N] [--format table|csv|json] [--svg FILE]
//   epc-extender simulate --generate FILE [--profile dcsv3|dcsv2] [--pods N] [--seed N]
//   epc-extender consolidate [--cluster-file FILE | --kubeconfig FILE] [--config FILE]
//                            [--format table|json] [--now TIME]
//
// Parsing is a pure function of the arguments so that every flag and every error is unit-tested;
// main() only acts on the result. Flags take their value as `--flag value` or `--flag=value`.
// Errors echo the offending argument, e.g. `--listen: invalid port "88x" in "127.0.0.1:88x"`.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "model/result.h"
#include "scheduler/consolidate/consolidate_options.h"
#include "scheduler/http/connection_deadlines.h"
#include "scheduler/log/log_level.h"
#include "simulator/simulate_options.h"

namespace epc {

struct ListenAddress {
  std::string host = "127.0.0.1";  // without brackets for IPv6
  int port = 8888;                 // 0..65535; 0 picks a free port
};

struct ServeOptions {
  ListenAddress listen;  // the verbs, and every page unless monitoring_listen is set
  // Set: a second, plain-HTTP listener for kubelet's probes and Prometheus (/healthz, /readyz,
  // /version, /metrics), so that the verbs and the pages that name pods can stay on an address
  // only the scheduler reaches (127.0.0.1 beside it in one pod), or behind mTLS.
  std::optional<ListenAddress> monitoring_listen;
  std::string prefix;                      // as given; the server normalises it
  std::optional<std::string> config_file;  // none: built-in defaults
  // Where cluster state comes from: a fixed file, or the Kubernetes API through a kubeconfig, or
  // (neither given) through the in-cluster service account. The two flags exclude each other.
  std::optional<std::string> cluster_file;
  std::optional<std::string> kubeconfig;
  size_t max_body_bytes = 64u << 20;
  LogFormat log_format = LogFormat::kJson;
  LogLevel log_level = LogLevel::kInfo;
  // HTTPS with this certificate (chain) and key; both or neither. With a client CA, clients must
  // present a certificate it signed (mTLS); it requires the other two. Named as Kubernetes
  // components name them.
  std::optional<std::string> tls_cert_file;
  std::optional<std::string> tls_private_key_file;
  std::optional<std::string> client_ca_file;
  ConnectionLimits connection_limits;
  // On SIGTERM, how long requests already received have to be answered before the server closes.
  // Below Kubernetes' default terminationGracePeriodSeconds (30 s), above kube-scheduler's
  // default extender timeout (5 s).
  std::chrono::milliseconds shutdown_grace_period{std::chrono::seconds(10)};
  // How long a verb that arrives before the first lists are in waits for them. Below
  // kube-scheduler's default extender httpTimeout (5 s), so the scheduler gets an answer rather
  // than a timeout; kube-scheduler v1.26 parks a pod that got an Error for up to 5 minutes.
  std::chrono::milliseconds startup_wait{std::chrono::seconds(3)};
  // Before filter turns a pod away on every node, up to this many nodes and pods are read afresh
  // from the API server (docs/live-state.md, "Stale views"); 0 turns rechecks off. API mode only.
  size_t recheck_reads = 16;
  // How long those reads may take: the filter answers from the view after it.
  std::chrono::milliseconds recheck_timeout{std::chrono::seconds(1)};
  // Reads per second across all filters, with bursts of twice as many.
  double recheck_qps = 50;
  // Threads serving every connection (GuardedThreadPool); none: its default for this machine.
  std::optional<size_t> threads;
};

// --threads above this is a typo, not a tuning: every connection is served asynchronously.
inline constexpr size_t kMaxThreads = 256;

struct ShowHelp {};
struct ShowVersion {};
// `config check FILE`: validate a scoring config, printing every problem.
struct ConfigCheck {
  std::string file;
};
// `config print [FILE]`: the effective config (defaults filled in) as YAML.
struct ConfigPrint {
  std::optional<std::string> file;  // none: the built-in defaults
};

using Command = std::variant<ServeOptions, ShowHelp, ShowVersion, ConfigCheck, ConfigPrint,
                             SimulateOptions, ConsolidateOptions>;

// `args` excludes the program name (argv[1..]).
Result<Command> parse_command_line(std::span<const std::string> args);

// "HOST:PORT", "[IPv6]:PORT".
Result<ListenAddress> parse_listen_address(std::string_view text);

std::string usage_text();
std::string_view program_version();

}  // namespace epc
