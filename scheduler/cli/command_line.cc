#include "scheduler/cli/command_line.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <set>

#include "model/quantity.h"

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
  kLogLevel
};

struct FlagName {
  std::string_view name;
  Flag flag;
};
constexpr std::array<FlagName, 8> kFlags = {{{"--listen", Flag::kListen},
                                             {"--prefix", Flag::kPrefix},
                                             {"--config", Flag::kConfig},
                                             {"--cluster-file", Flag::kClusterFile},
                                             {"--kubeconfig", Flag::kKubeconfig},
                                             {"--max-body-bytes", Flag::kMaxBodyBytes},
                                             {"--log-format", Flag::kLogFormat},
                                             {"--log-level", Flag::kLogLevel}}};

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

Result<size_t> parse_body_limit(std::string_view text) {
  Result<int64_t> bytes = parse_quantity(text);
  if (!bytes) return bytes.error();
  if (*bytes <= 0) return make_error("must be positive, got " + quoted(text));
  return static_cast<size_t>(*bytes);
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
      if (value.empty()) return make_error("needs a file name");
      options.config_file = value;
      return {};
    case Flag::kClusterFile:
      if (value.empty()) return make_error("needs a file name");
      options.cluster_file = value;
      return {};
    case Flag::kKubeconfig:
      if (value.empty()) return make_error("needs a file name");
      options.kubeconfig = value;
      return {};
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

Flags of serve (--flag value or --flag=value):
  --listen ADDR:PORT     address to listen on (default 127.0.0.1:8888; port 0 picks a free one)
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

Endpoints: POST {prefix}/filter|prioritize|bind|preempt, GET /healthz, /readyz, /version.
)";
}

std::string_view program_version() {
  return EPC_VERSION;
}

}  // namespace epc
