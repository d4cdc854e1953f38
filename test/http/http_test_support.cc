#include "http_test_support.h"

#include <cstdlib>
#include <filesystem>
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

int listening_port(const std::string& line) {
  for (const std::string marker : {"http://127.0.0.1:", "https://127.0.0.1:"}) {
    const size_t at = line.find(marker);
    if (at != std::string::npos) return std::stoi(line.substr(at + marker.size()));
  }
  return 0;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "epc-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace epc::test
