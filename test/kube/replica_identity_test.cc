// The consolidation lease's holder name and namespace: from the downward API's variables when the
// chart sets them, else the host and the service account's namespace file; always unique.
#include "scheduler/kube/replica_identity.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

namespace epc {
namespace {

TEST(ReplicaIdentity, ThePodNameWithARandomSuffix) {
  setenv("POD_NAME", "epc-extender-7d9f-abcde", 1);
  const std::string first = replica_identity();
  const std::string second = replica_identity();
  unsetenv("POD_NAME");
  EXPECT_TRUE(std::regex_match(first, std::regex("epc-extender-7d9f-abcde_[0-9a-f]{16}"))) << first;
  EXPECT_NE(first, second);  // a restarted replica never passes for its predecessor
  EXPECT_FALSE(replica_identity().empty());
}

TEST(ReplicaNamespace, TheVariableThenTheServiceAccountFileThenDefault) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("epc-ns-" + std::to_string(getpid()));
  std::ofstream(file) << "confidential\n";
  setenv("POD_NAMESPACE", "from-env", 1);
  EXPECT_EQ(replica_namespace(file.string()), "from-env");
  unsetenv("POD_NAMESPACE");
  EXPECT_EQ(replica_namespace(file.string()), "confidential");
  std::filesystem::remove(file);
  EXPECT_EQ(replica_namespace(file.string()), "default");
}

}  // namespace
}  // namespace epc
