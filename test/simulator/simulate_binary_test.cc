// The epc-extender binary's `simulate` command: the comparison on stdout, the SVG file, errors.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

struct Outcome {
  int status = -1;
  std::string output;  // stdout and stderr
};

Outcome run(const std::string& arguments) {
  const std::string command = std::string(EPC_EXTENDER_BINARY) + " " + arguments + " 2>&1";
  Outcome outcome;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer;
  size_t read = 0;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    outcome.output.append(buffer.data(), read);
  }
  const int status = pclose(pipe);
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

const std::string kSource = EPC_SOURCE_DIR;

std::string contents(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(SimulateBinary, PrintsTheComparisonAndWritesTheSvg) {
  const std::string svg = ::testing::TempDir() + "/simulate_binary_test.svg";
  std::filesystem::remove(svg);
  const Outcome outcome =
      run("simulate --cluster " + kSource + "/simulator/clusters/dcsv2.yaml --trace " + kSource +
          "/simulator/traces/dcsv2-900.csv --svg " + svg);
  ASSERT_EQ(outcome.status, 0) << outcome.output;
  for (const char* policy :
       {"kube-default", "kube-mostallocated", "binpack", "bestfit", "ratio", "spread"}) {
    EXPECT_NE(outcome.output.find(std::string("\n") + policy + " "), std::string::npos) << policy;
  }
  EXPECT_NE(outcome.output.find("offline bounds"), std::string::npos);
  EXPECT_EQ(contents(svg).rfind("<svg", 0), 0u);
}

// The commands in simulator/traces/README.md.
TEST(SimulateBinary, GeneratesTheBundledTracesByteForByte) {
  const std::string out = ::testing::TempDir() + "/simulate_binary_test.csv";
  Outcome outcome = run("simulate --generate " + out + " --profile dcsv2 --pods 900 --seed 2");
  ASSERT_EQ(outcome.status, 0) << outcome.output;
  EXPECT_EQ(contents(out), contents(kSource + "/simulator/traces/dcsv2-900.csv"));
  outcome = run("simulate --generate " + out + " --profile dcsv3 --pods 2000 --seed 1");
  ASSERT_EQ(outcome.status, 0) << outcome.output;
  EXPECT_EQ(contents(out), contents(kSource + "/simulator/traces/dcsv3-2000.csv"));
}

TEST(SimulateBinary, InputErrorsExitOneUsageErrorsTwo) {
  const Outcome missing = run("simulate --cluster /nonexistent.yaml --trace /nonexistent.csv");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.output.find("/nonexistent.yaml: cannot open"), std::string::npos);
  EXPECT_EQ(run("simulate --format xml --openb x").status, 2);
}

}  // namespace
