// `epc-extender simulate` on the command line: flags and their errors.
#include <gtest/gtest.h>

#include "scheduler/cli/command_line.h"

namespace epc {
namespace {

Result<Command> parse(std::vector<std::string> args) {
  return parse_command_line(args);
}

std::string error_of(std::vector<std::string> args) {
  const Result<Command> command = parse(std::move(args));
  return command.ok() ? "" : command.error().message;
}

TEST(SimulateCommandLine, ParsesEveryFlag) {
  const Result<Command> command =
      parse({"simulate", "--cluster", "c.yaml", "--trace=t.csv", "--policy", "a=a.yaml", "--policy",
             "b=b.yaml", "--seed", "7", "--format", "json", "--svg", "o.svg"});
  ASSERT_TRUE(command.ok()) << command.error().message;
  const auto& options = std::get<SimulateOptions>(*command);
  EXPECT_EQ(*options.cluster_file, "c.yaml");
  EXPECT_EQ(*options.trace_file, "t.csv");
  ASSERT_EQ(options.policies.size(), 2u);
  EXPECT_EQ(options.policies[1].name, "b");
  EXPECT_EQ(options.policies[1].path, "b.yaml");
  EXPECT_EQ(options.seed, 7u);
  EXPECT_EQ(options.format, ReportFormat::kJson);
  EXPECT_EQ(*options.svg_file, "o.svg");
  EXPECT_EQ(options.percentage_of_nodes_to_score, 0);
  const Result<Command> all =
      parse({"simulate", "--openb", "d", "--percentage-of-nodes-to-score", "100"});
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(std::get<SimulateOptions>(*all).percentage_of_nodes_to_score, 100);

  const Result<Command> openb =
      parse({"simulate", "--openb", "dir", "--openb-epc-per-device", "16Gi"});
  ASSERT_TRUE(openb.ok()) << openb.error().message;
  EXPECT_EQ(std::get<SimulateOptions>(*openb).openb_epc_per_device, int64_t{16} << 30);

  const Result<Command> generate =
      parse({"simulate", "--generate", "t.csv", "--profile", "dcsv2", "--pods", "10"});
  ASSERT_TRUE(generate.ok()) << generate.error().message;
  EXPECT_EQ(std::get<SimulateOptions>(*generate).generate_pods, 10);
  EXPECT_EQ(std::get<SimulateOptions>(*generate).generate_profile, "dcsv2");
}

TEST(SimulateCommandLine, ErrorsArePrecise) {
  EXPECT_EQ(error_of({"simulate", "--cluster", "c.yaml"}),
            "simulate: needs --cluster FILE and --trace FILE, or --openb DIR");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--trace", "t.csv"}),
            "simulate: --openb brings its own cluster and trace; drop --cluster/--trace");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--format", "xml"}),
            "--format: expected table, csv or json, got \"xml\"");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--seed", "-1"}),
            "--seed: expected an integer >= 0, got \"-1\"");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--policy", "nofile"}),
            "--policy: expected NAME=FILE, got \"nofile\"");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--policy", "a=x", "--policy", "a=y"}),
            "--policy: policy \"a\" named twice");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--policy", "kube-default=x"}),
            "--policy: \"kube-default\" is a built-in policy name");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--openb-epc-per-device", "0"}),
            "--openb-epc-per-device: must be positive, got \"0\"");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--seed", "1", "--seed", "2"}),
            "--seed given more than once");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--percentage-of-nodes-to-score", "101"}),
            "--percentage-of-nodes-to-score: expected 0..100, got \"101\"");
  EXPECT_EQ(error_of({"simulate", "--openb", "d", "--nodes", "3"}),
            "simulate: unknown flag \"--nodes\"");
  EXPECT_EQ(error_of({"simulate", "--generate", "t.csv", "--trace", "x"}),
            "simulate --generate writes a trace; it takes no --cluster, --trace or --openb");
  EXPECT_EQ(error_of({"simulate", "--generate", "t.csv", "--profile", "dcsv9"}),
            "--profile: expected dcsv3 or dcsv2, got \"dcsv9\"");
}

TEST(SimulateCommandLine, UsageMentionsSimulate) {
  EXPECT_NE(usage_text().find("epc-extender simulate --cluster FILE --trace FILE"),
            std::string::npos);
  EXPECT_NE(usage_text().find("--openb-epc-per-device"), std::string::npos);
}

}  // namespace
}  // namespace epc
