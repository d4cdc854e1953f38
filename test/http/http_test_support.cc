#include "http_test_support.h"

#include <fstream>
#include <sstream>

namespace epc::test {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string read_fixture(const std::string& name) {
  return read_file(std::string(EPC_TEST_DATA_DIR) + "/fixtures/kube-scheduler/k8s-1.30.12/" + name);
}

LogSink CapturedLog::sink() {
  return [lines = lines_](std::string_view line) {
    std::lock_guard lock(lines->mutex);
    lines->lines.emplace_back(line);
  };
}

std::vector<std::string> CapturedLog::lines() const {
  std::lock_guard lock(lines_->mutex);
  return lines_->lines;
}

}  // namespace epc::test
