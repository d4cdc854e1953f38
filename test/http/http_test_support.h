// Shared helpers of the HTTP tests: fixture files and a log sink that records lines.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "scheduler/log_sink.h"

namespace epc::test {

// The bytes of test/fixtures/kube-scheduler/k8s-1.30.12/<name>; empty when missing (tests check).
std::string read_fixture(const std::string& name);
std::string read_file(const std::string& path);

// The port of the binary's "listening on http(s)://127.0.0.1:PORT" line (either log format); 0 if
// none.
int listening_port(const std::string& line);

// A fresh directory under the temporary directory, removed with everything in it when this goes out
// of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Thread-safe: the server logs from its pool threads.
class CapturedLog {
 public:
  LogSink sink();
  std::vector<std::string> lines() const;

 private:
  struct Lines {
    mutable std::mutex mutex;
    std::vector<std::string> lines;
  };
  std::shared_ptr<Lines> lines_ = std::make_shared<Lines>();
};

}  // namespace epc::test
