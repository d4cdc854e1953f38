// The `config` commands of the command line.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "scheduler/cli/command_line.h"

namespace epc {
namespace {

Result<Command> parse(std::vector<std::string> args) {
  return parse_command_line(args);
}

TEST(ConfigCommands, CheckAndPrintTakeTheirFile) {
  auto check = parse({"config", "check", "a.yaml"});
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_EQ(std::get<ConfigCheck>(*check).file, "a.yaml");
  auto print = parse({"config", "print", "b.yaml"});
  ASSERT_TRUE(print.ok()) << print.error().message;
  EXPECT_EQ(std::get<ConfigPrint>(*print).file, "b.yaml");
  auto defaults = parse({"config", "print"});
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(std::get<ConfigPrint>(*defaults).file, std::nullopt);
}

TEST(ConfigCommands, MistakesAreErrorsThatSayWhat) {
  EXPECT_EQ(parse({"config"}).error().message,
            R"(config: missing subcommand: expected "check" or "print")");
  EXPECT_EQ(parse({"config", "check"}).error().message, "config check: missing FILE");
  EXPECT_EQ(parse({"config", "lint", "a"}).error().message,
            R"(config: unknown subcommand "lint": expected "check" or "print")");
  EXPECT_EQ(parse({"config", "check", "a", "b"}).error().message,
            R"(config check: unexpected argument "b"; usage: config check FILE)");
  EXPECT_EQ(parse({"config", "print", "--x"}).error().message,
            R"(config print: expected a file name, got "--x")");
}

}  // namespace
}  // namespace epc
