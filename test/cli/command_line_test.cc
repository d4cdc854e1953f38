#include "scheduler/cli/command_line.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace epc {
namespace {

using ::testing::HasSubstr;

Result<Command> parse(std::vector<std::string> args) {
  return parse_command_line(args);
}

ServeOptions serve(std::vector<std::string> args) {
  const Result<Command> command = parse(std::move(args));
  EXPECT_TRUE(command.ok()) << command.error().message;
  if (!command.ok() || !std::holds_alternative<ServeOptions>(*command)) {
    ADD_FAILURE() << "not a serve command";
    return {};
  }
  return std::get<ServeOptions>(*command);
}

std::string error_of(std::vector<std::string> args) {
  const Result<Command> command = parse(std::move(args));
  EXPECT_FALSE(command.ok());
  return command.ok() ? std::string() : command.error().message;
}

TEST(CommandLine, ServeDefaults) {
  const ServeOptions options = serve({"serve"});
  EXPECT_EQ(options.listen.host, "127.0.0.1");
  EXPECT_EQ(options.listen.port, 8888);
  EXPECT_EQ(options.prefix, "");
  EXPECT_FALSE(options.config_file.has_value());
  EXPECT_FALSE(options.cluster_file.has_value());
  EXPECT_EQ(options.max_body_bytes, 64u << 20);
}

TEST(CommandLine, EveryFlagWithASeparateValue) {
  const ServeOptions options =
      serve({"serve", "--listen", "0.0.0.0:9000", "--prefix", "/sgx", "--config", "c.yaml",
             "--cluster-file", "cluster.json", "--max-body-bytes", "1Mi"});
  EXPECT_EQ(options.listen.host, "0.0.0.0");
  EXPECT_EQ(options.listen.port, 9000);
  EXPECT_EQ(options.prefix, "/sgx");
  EXPECT_EQ(options.config_file, "c.yaml");
  EXPECT_EQ(options.cluster_file, "cluster.json");
  EXPECT_EQ(options.max_body_bytes, 1u << 20);
}

TEST(CommandLine, EveryFlagWithAnEqualsValue) {
  const ServeOptions options =
      serve({"serve", "--listen=localhost:0", "--prefix=sgx/v1/", "--config=a=b.yaml",
             "--cluster-file=c.json", "--max-body-bytes=1000"});
  EXPECT_EQ(options.listen.host, "localhost");
  EXPECT_EQ(options.listen.port, 0);
  EXPECT_EQ(options.prefix, "sgx/v1/");
  EXPECT_EQ(options.config_file, "a=b.yaml");  // only the first '=' splits
  EXPECT_EQ(options.cluster_file, "c.json");
  EXPECT_EQ(options.max_body_bytes, 1000u);
}

TEST(CommandLine, KubeconfigSelectsTheApiSource) {
  const ServeOptions options = serve({"serve", "--kubeconfig=/etc/kube/config"});
  EXPECT_EQ(options.kubeconfig, "/etc/kube/config");
  EXPECT_FALSE(options.cluster_file.has_value());
  EXPECT_FALSE(serve({"serve"}).kubeconfig.has_value());  // in-cluster
}

TEST(CommandLine, EmptyPrefixIsTheRoot) {
  EXPECT_EQ(serve({"serve", "--prefix="}).prefix, "");
}

TEST(CommandLine, HelpAndVersion) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--help"},
                                               {"-h"},
                                               {"help"},
                                               {"serve", "--help"},
                                               {"serve", "--listen", "1.2.3.4:5", "-h"}}) {
    const Result<Command> command = parse(args);
    ASSERT_TRUE(command.ok()) << command.error().message;
    EXPECT_TRUE(std::holds_alternative<ShowHelp>(*command)) << args.back();
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--version"}, {"version"}}) {
    const Result<Command> command = parse(args);
    ASSERT_TRUE(command.ok()) << command.error().message;
    EXPECT_TRUE(std::holds_alternative<ShowVersion>(*command));
  }
}

TEST(CommandLine, UsageNamesEveryFlag) {
  const std::string usage = usage_text();
  for (const char* flag :
       {"serve", "--listen", "--prefix", "--config", "--cluster-file", "--max-body-bytes",
        "--log-format", "--log-level", "--monitoring-listen", "--startup-wait", "--recheck-reads",
        "--recheck-timeout", "--recheck-qps", "--threads", "--help", "--version"}) {
    EXPECT_THAT(usage, HasSubstr(flag));
  }
}

TEST(CommandLine, MissingOrUnknownCommand) {
  EXPECT_THAT(error_of({}), HasSubstr("missing command"));
  EXPECT_EQ(error_of({"run"}), "unknown command \"run\"");
  EXPECT_EQ(error_of({"--listen", "1.2.3.4:5"}), "unknown flag \"--listen\"");
}

TEST(CommandLine, UnknownFlagOrArgumentOfServe) {
  EXPECT_EQ(error_of({"serve", "--port", "80"}), "serve: unknown flag \"--port\"");
  EXPECT_EQ(error_of({"serve", "--port=80"}), "serve: unknown flag \"--port\"");
  EXPECT_EQ(error_of({"serve", "extra"}), "serve: unexpected argument \"extra\"");
  EXPECT_EQ(error_of({"serve", "-l", "x"}), "serve: unexpected argument \"-l\"");
}

TEST(CommandLine, MissingValues) {
  EXPECT_EQ(error_of({"serve", "--listen"}), "--listen needs a value");
  EXPECT_EQ(error_of({"serve", "--config", "--prefix", "/x"}), "--config needs a value");
  EXPECT_EQ(error_of({"serve", "--config="}), "--config: needs a file name");
  EXPECT_EQ(error_of({"serve", "--cluster-file="}), "--cluster-file: needs a file name");
  EXPECT_EQ(error_of({"serve", "--kubeconfig="}), "--kubeconfig: needs a file name");
  EXPECT_EQ(error_of({"serve", "--kubeconfig", "k", "--cluster-file", "c"}),
            "--cluster-file and --kubeconfig exclude each other: a fixed cluster or a live one");
  EXPECT_EQ(error_of({"serve", "--listen="}), "--listen: empty address: expected HOST:PORT");
}

TEST(CommandLine, RepeatedFlag) {
  EXPECT_EQ(error_of({"serve", "--prefix", "/a", "--prefix=/b"}), "--prefix given more than once");
}

TEST(CommandLine, BadPrefix) {
  EXPECT_THAT(error_of({"serve", "--prefix", "/a b"}),
              HasSubstr("--prefix: invalid character ' ' in \"/a b\""));
  EXPECT_THAT(error_of({"serve", "--prefix", "/a?x=1"}), HasSubstr("invalid character '?'"));
}

TEST(CommandLine, BadBodyLimit) {
  EXPECT_THAT(error_of({"serve", "--max-body-bytes", "lots"}),
              HasSubstr("--max-body-bytes: invalid quantity \"lots\""));
  EXPECT_EQ(error_of({"serve", "--max-body-bytes", "0"}),
            "--max-body-bytes: must be positive, got \"0\"");
  EXPECT_EQ(error_of({"serve", "--max-body-bytes=-1Ki"}),
            "--max-body-bytes: must be positive, got \"-1Ki\"");
}

TEST(CommandLine, LogFlags) {
  const ServeOptions defaults = serve({"serve"});
  EXPECT_EQ(defaults.log_format, LogFormat::kJson);
  EXPECT_EQ(defaults.log_level, LogLevel::kInfo);
  const ServeOptions text = serve({"serve", "--log-format", "text", "--log-level=debug"});
  EXPECT_EQ(text.log_format, LogFormat::kText);
  EXPECT_EQ(text.log_level, LogLevel::kDebug);
  EXPECT_EQ(serve({"serve", "--log-level", "error"}).log_level, LogLevel::kError);
  EXPECT_EQ(serve({"serve", "--log-level=warning"}).log_level, LogLevel::kWarning);
}

TEST(CommandLine, BadLogFlags) {
  EXPECT_EQ(error_of({"serve", "--log-level", "x"}),
            "--log-level: must be one of debug, info, warning, error; got \"x\"");
  EXPECT_EQ(error_of({"serve", "--log-level=Debug"}),
            "--log-level: must be one of debug, info, warning, error; got \"Debug\"");
  EXPECT_EQ(error_of({"serve", "--log-format=klog"}),
            "--log-format: must be one of json, text; got \"klog\"");
  EXPECT_EQ(error_of({"serve", "--log-format"}), "--log-format needs a value");
  EXPECT_EQ(error_of({"serve", "--log-level=info", "--log-level=debug"}),
            "--log-level given more than once");
}

TEST(CommandLine, TlsFlags) {
  const ServeOptions plain = serve({"serve"});
  EXPECT_FALSE(plain.tls_cert_file.has_value());
  EXPECT_FALSE(plain.tls_private_key_file.has_value());
  EXPECT_FALSE(plain.client_ca_file.has_value());
  const ServeOptions tls =
      serve({"serve", "--tls-cert-file", "c.pem", "--tls-private-key-file=k.pem"});
  EXPECT_EQ(tls.tls_cert_file, "c.pem");
  EXPECT_EQ(tls.tls_private_key_file, "k.pem");
  EXPECT_FALSE(tls.client_ca_file.has_value());
  const ServeOptions mtls = serve({"serve", "--client-ca-file", "ca.pem", "--tls-cert-file=c.pem",
                                   "--tls-private-key-file", "k.pem"});
  EXPECT_EQ(mtls.client_ca_file, "ca.pem");
  for (const char* flag : {"--tls-cert-file", "--tls-private-key-file", "--client-ca-file"}) {
    EXPECT_THAT(usage_text(), HasSubstr(flag));
  }
}

TEST(CommandLine, BadTlsFlags) {
  const std::string pair =
      "--tls-cert-file and --tls-private-key-file go together: give both or neither";
  EXPECT_EQ(error_of({"serve", "--tls-cert-file", "c.pem"}), pair);
  EXPECT_EQ(error_of({"serve", "--tls-private-key-file", "k.pem"}), pair);
  EXPECT_EQ(error_of({"serve", "--tls-private-key-file", "k.pem", "--client-ca-file", "ca.pem"}),
            pair);
  EXPECT_EQ(error_of({"serve", "--client-ca-file", "ca.pem"}),
            "--client-ca-file needs --tls-cert-file and --tls-private-key-file: client "
            "certificates are only asked for over TLS");
  EXPECT_EQ(error_of({"serve", "--tls-cert-file="}), "--tls-cert-file: needs a file name");
  EXPECT_EQ(error_of({"serve", "--tls-private-key-file="}),
            "--tls-private-key-file: needs a file name");
  EXPECT_EQ(error_of({"serve", "--client-ca-file="}), "--client-ca-file: needs a file name");
  EXPECT_EQ(error_of({"serve", "--tls-cert-file", "a", "--tls-cert-file", "b"}),
            "--tls-cert-file given more than once");
}

TEST(ListenAddress, HostAndPort) {
  const Result<ListenAddress> address = parse_listen_address("10.0.0.1:65535");
  ASSERT_TRUE(address.ok()) << address.error().message;
  EXPECT_EQ(address->host, "10.0.0.1");
  EXPECT_EQ(address->port, 65535);
}

TEST(ListenAddress, BracketedIpv6) {
  const Result<ListenAddress> address = parse_listen_address("[::1]:8888");
  ASSERT_TRUE(address.ok()) << address.error().message;
  EXPECT_EQ(address->host, "::1");
  EXPECT_EQ(address->port, 8888);
}

std::string listen_error(std::string_view text) {
  const Result<ListenAddress> address = parse_listen_address(text);
  EXPECT_FALSE(address.ok()) << text;
  return address.ok() ? std::string() : address.error().message;
}

TEST(ListenAddress, Errors) {
  EXPECT_EQ(listen_error("localhost"), "missing port in \"localhost\": expected HOST:PORT");
  EXPECT_EQ(listen_error(":8888"), "missing host in \":8888\"");
  EXPECT_EQ(listen_error("h:"), "invalid port \"\" in \"h:\": expected 0..65535");
  EXPECT_EQ(listen_error("h:88x"), "invalid port \"88x\" in \"h:88x\": expected 0..65535");
  EXPECT_EQ(listen_error("h:65536"), "invalid port \"65536\" in \"h:65536\": expected 0..65535");
  EXPECT_EQ(listen_error("h:-1"), "invalid port \"-1\" in \"h:-1\": expected 0..65535");
  EXPECT_EQ(listen_error("h:+80"), "invalid port \"+80\" in \"h:+80\": expected 0..65535");
  EXPECT_EQ(listen_error("h:0000080"),
            "invalid port \"0000080\" in \"h:0000080\": expected 0..65535");
  EXPECT_EQ(listen_error("::1:8888"),
            "IPv6 address in \"::1:8888\" needs brackets, e.g. [::1]:8888");
  EXPECT_EQ(listen_error("[::1]8888"), "invalid address \"[::1]8888\": expected [IPv6]:PORT");
  EXPECT_EQ(listen_error("[::1"), "invalid address \"[::1\": expected [IPv6]:PORT");
  EXPECT_EQ(listen_error("[]:80"), "missing host in \"[]:80\"");
}

TEST(CommandLine, ConnectionLimitsAndShutdownDefaults) {
  const ServeOptions options = serve({"serve"});
  EXPECT_EQ(options.connection_limits.read_timeout, std::chrono::seconds(30));
  EXPECT_EQ(options.connection_limits.idle_timeout, std::chrono::seconds(120));
  EXPECT_EQ(options.connection_limits.max_connections, 1000u);
  EXPECT_EQ(options.shutdown_grace_period, std::chrono::seconds(10));
}

TEST(CommandLine, ConnectionLimitsAndShutdownFlags) {
  const ServeOptions options = serve({"serve", "--read-timeout", "5s", "--idle-timeout=1m30s",
                                      "--max-connections", "0", "--shutdown-grace-period", "0"});
  EXPECT_EQ(options.connection_limits.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(options.connection_limits.idle_timeout, std::chrono::seconds(90));
  EXPECT_EQ(options.connection_limits.max_connections, 0u);
  EXPECT_EQ(options.shutdown_grace_period, std::chrono::milliseconds(0));
}

TEST(CommandLine, ConnectionLimitErrorsNameTheFlagAndValue) {
  EXPECT_THAT(error_of({"serve", "--read-timeout", "30"}),
              HasSubstr("--read-timeout: invalid duration \"30\": expected a unit"));
  EXPECT_EQ(error_of({"serve", "--idle-timeout", "0s"}),
            "--idle-timeout: must be longer than 0, got \"0s\"");
  EXPECT_EQ(error_of({"serve", "--max-connections", "many"}),
            "--max-connections: expected a whole number, got \"many\"");
  EXPECT_THAT(error_of({"serve", "--shutdown-grace-period", "-1s"}),
              HasSubstr("--shutdown-grace-period: invalid duration \"-1s\""));
}

TEST(CommandLine, OneListenerUnlessAMonitoringOneIsGiven) {
  EXPECT_FALSE(serve({"serve"}).monitoring_listen.has_value());
  const ServeOptions options =
      serve({"serve", "--listen", "127.0.0.1:8888", "--monitoring-listen", "0.0.0.0:8889"});
  ASSERT_TRUE(options.monitoring_listen.has_value());
  EXPECT_EQ(options.monitoring_listen->host, "0.0.0.0");
  EXPECT_EQ(options.monitoring_listen->port, 8889);
  // Port 0 twice: each listener picks a free port of its own.
  EXPECT_EQ(serve({"serve", "--listen=127.0.0.1:0", "--monitoring-listen=127.0.0.1:0"})
                .monitoring_listen->port,
            0);
}

TEST(CommandLine, MonitoringListenerMustNotOverlapTheVerbs) {
  EXPECT_EQ(
      error_of({"serve", "--listen", "127.0.0.1:8888", "--monitoring-listen", "127.0.0.1:8888"}),
      "--monitoring-listen 127.0.0.1:8888 overlaps --listen 127.0.0.1:8888: give the "
      "monitoring listener a port of its own");
  EXPECT_THAT(
      error_of({"serve", "--listen", "127.0.0.1:9000", "--monitoring-listen", "0.0.0.0:9000"}),
      HasSubstr("overlaps --listen 127.0.0.1:9000"));
  EXPECT_THAT(error_of({"serve", "--monitoring-listen", "h:x"}),
              HasSubstr("--monitoring-listen: invalid port \"x\""));
  // Same port on two distinct addresses is the user's business (both can bind).
  EXPECT_TRUE(
      parse({"serve", "--listen", "127.0.0.1:9000", "--monitoring-listen", "10.0.0.1:9000"}).ok());
}

TEST(CommandLine, StartupWait) {
  EXPECT_EQ(serve({"serve"}).startup_wait, std::chrono::seconds(3));
  EXPECT_EQ(serve({"serve", "--startup-wait", "500ms"}).startup_wait,
            std::chrono::milliseconds(500));
  EXPECT_EQ(serve({"serve", "--startup-wait=0"}).startup_wait, std::chrono::milliseconds(0));
  EXPECT_THAT(error_of({"serve", "--startup-wait", "soon"}),
              HasSubstr("--startup-wait: invalid duration \"soon\""));
}

TEST(CommandLine, Rechecks) {
  const ServeOptions defaults = serve({"serve"});
  EXPECT_EQ(defaults.recheck_reads, 16u);
  EXPECT_EQ(defaults.recheck_timeout, std::chrono::seconds(1));
  EXPECT_EQ(defaults.recheck_qps, 50);
  const ServeOptions set =
      serve({"serve", "--recheck-reads", "4", "--recheck-timeout=250ms", "--recheck-qps", "10"});
  EXPECT_EQ(set.recheck_reads, 4u);
  EXPECT_EQ(set.recheck_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(set.recheck_qps, 10);
  EXPECT_EQ(serve({"serve", "--recheck-reads", "0"}).recheck_reads, 0u);
  EXPECT_THAT(error_of({"serve", "--recheck-reads", "-1"}),
              HasSubstr("--recheck-reads: expected a whole number, got \"-1\""));
  EXPECT_THAT(error_of({"serve", "--recheck-timeout", "0s"}),
              HasSubstr("--recheck-timeout: must be longer than 0"));
  EXPECT_THAT(error_of({"serve", "--recheck-qps", "0"}),
              HasSubstr("--recheck-qps: must be at least 1, got \"0\""));
  EXPECT_THAT(error_of({"serve", "--recheck-reads", "2", "--recheck-reads", "3"}),
              HasSubstr("--recheck-reads"));
}

TEST(CommandLine, Threads) {
  EXPECT_FALSE(serve({"serve"}).threads.has_value()) << "the pool's default for the machine";
  EXPECT_EQ(serve({"serve", "--threads", "3"}).threads, 3u);
  EXPECT_EQ(serve({"serve", "--threads=256"}).threads, 256u);
  EXPECT_EQ(error_of({"serve", "--threads", "0"}), "--threads: must be 1 to 256, got \"0\"");
  EXPECT_EQ(error_of({"serve", "--threads", "257"}), "--threads: must be 1 to 256, got \"257\"");
  EXPECT_THAT(error_of({"serve", "--threads", "two"}),
              HasSubstr("--threads: expected a whole number, got \"two\""));
}

TEST(CommandLine, ListenErrorsNameTheFlag) {
  EXPECT_EQ(error_of({"serve", "--listen", "h:99999"}),
            "--listen: invalid port \"99999\" in \"h:99999\": expected 0..65535");
}

}  // namespace
}  // namespace epc
