// Helpers shared by the extender, wire and state tests: padded bodies and the recorded
// kube-scheduler fixtures.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "scheduler/wire/extender_codec.h"

namespace epc::test {

inline std::string padded(std::string body) {
  pad_body(body);
  return body;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test data " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// test/fixtures/<relative>.
inline std::string fixture_path(const std::string& relative) {
  return std::string(EPC_TEST_DATA_DIR) + "/fixtures/" + relative;
}

// A request body a real kube-scheduler sent: test/fixtures/kube-scheduler/<version>/<name>.
inline std::string fixture(const std::string& version, const std::string& name) {
  return padded(read_file(fixture_path("kube-scheduler/" + version + "/" + name)));
}

}  // namespace epc::test
