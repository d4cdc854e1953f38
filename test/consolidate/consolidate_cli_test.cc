// `epc-extender consolidate` on the command line: flags and their errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scheduler/cli/command_line.h"

namespace epc {
namespace {

Result<Command> parse(std::vector<std::string> args) {
  return parse_command_line(args);
}

ConsolidateOptions options_of(std::vector<std::string> args) {
  const Result<Command> command = parse(std::move(args));
  EXPECT_TRUE(command.ok()) << command.error().message;
  if (!command.ok() || !std::holds_alternative<ConsolidateOptions>(*command)) return {};
  return std::get<ConsolidateOptions>(*command);
}

std::string error_of(std::vector<std::string> args) {
  const Result<Command> command = parse(std::move(args));
  return command.ok() ? "(parsed)" : command.error().message;
}

TEST(ConsolidateCli, DefaultsReadTheClusterInClusterAndPrintATable) {
  const ConsolidateOptions options = options_of({"consolidate"});
  EXPECT_FALSE(options.cluster_file);
  EXPECT_FALSE(options.kubeconfig);
  EXPECT_FALSE(options.config_file);
  EXPECT_EQ(options.format, PlanFormat::kTable);
  EXPECT_FALSE(options.now_unix_seconds);
}

TEST(ConsolidateCli, EveryFlag) {
  const ConsolidateOptions options =
      options_of({"consolidate", "--cluster-file", "c.json", "--config=s.yaml", "--format", "json",
                  "--now", "2026-12-06T14:13:18Z"});
  EXPECT_EQ(options.cluster_file, "c.json");
  EXPECT_EQ(options.config_file, "s.yaml");
  EXPECT_EQ(options.format, PlanFormat::kJson);
  EXPECT_EQ(options.now_unix_seconds, 1796566398);
  EXPECT_EQ(options_of({"consolidate", "--kubeconfig", "k"}).kubeconfig, "k");
  EXPECT_TRUE(std::holds_alternative<ShowHelp>(*parse({"consolidate", "--help"})));
}

TEST(ConsolidateCli, ErrorsNameTheFlagAndValue) {
  EXPECT_EQ(error_of({"consolidate", "--format", "yaml"}),
            R"(--format: expected table or json, got "yaml")");
  EXPECT_EQ(error_of({"consolidate", "--now", "today"}),
            R"(--now: invalid RFC 3339 time "today": expected a date YYYY-MM-DD)");
  EXPECT_EQ(error_of({"consolidate", "--cluster-file", "a", "--kubeconfig", "b"}),
            "consolidate: --cluster-file and --kubeconfig exclude each other");
  EXPECT_EQ(error_of({"consolidate", "--config", "a", "--config", "b"}),
            "--config given more than once");
  EXPECT_EQ(error_of({"consolidate", "--evict=all"}), R"(consolidate: unknown flag "--evict")");
  EXPECT_EQ(error_of({"consolidate", "plan"}), R"(consolidate: unexpected argument "plan")");
  EXPECT_EQ(error_of({"consolidate", "--config"}), "--config needs a value");
}

}  // namespace
}  // namespace epc
