// ConfigWatcher: keeps the scoring config current while the extender runs, swapping in a new one
// atomically when the file changes (or on demand, e.g. on SIGHUP).
//
// A ConfigMap mounted as a volume is updated by re-pointing the `..data` symlink, not by writing
// the file, so inotify on the file sees nothing. The watcher therefore polls: every interval it
// resolves the path through its symlinks and compares the target's inode, size and mtime with the
// last look, and when they differ reads the file and compares a hash of its content with the
// config in force. A changed file is parsed and validated; a valid one is published with one
// atomic store (requests read the config once, so none sees half of two configs), an invalid one
// leaves the config in force, is logged, and is kept as last_reload_error() until a valid file
// replaces it. EPC resource names and units cannot change while running (the cluster state has
// parsed every node and pod with them): a file that changes them is refused as a whole.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "config/scoring_config.h"
#include "model/result.h"

namespace epc {

class ConfigWatcher {
 public:
  using Log = std::function<void(std::string_view line)>;
  struct Options {
    std::chrono::milliseconds interval{1000};
    Log log;  // empty: silent
  };

  // Loads `path`; an invalid or unreadable file is an error (startup should fail on it).
  static Result<std::unique_ptr<ConfigWatcher>> open(std::string path, Options options);
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;
  ~ConfigWatcher();

  // Starts the polling thread (at most once); the destructor stops it.
  void start();
  void stop();

  // Re-reads the file now, whatever its fingerprint says. Ok when the file is applied or has not
  // changed; otherwise the error, which is also kept as last_reload_error().
  Result<void> reload();

  std::shared_ptr<const ScoringConfig> config() const { return config_.load(); }
  // The policy of the config in force; it keeps that whole config alive.
  std::shared_ptr<const PlacementPolicy> policy() const;
  // Why the latest reload attempt failed; empty once a later one succeeded.
  std::optional<std::string> last_reload_error() const;
  // How many times a new config was published since open (for tests and metrics).
  uint64_t generation() const { return generation_.load(); }
  // How many reload attempts were refused (unreadable or invalid file) since open.
  uint64_t failures() const { return failures_.load(); }

 private:
  // What a stat of the resolved path shows; any difference means "read the file again".
  struct Fingerprint {
    std::string resolved;
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
  };

  ConfigWatcher(std::string path, Options options, ScoringConfig initial, size_t content_hash,
                std::optional<Fingerprint> fingerprint);
  std::optional<Fingerprint> fingerprint() const;
  void poll();
  Result<void> apply_file();  // under reload_mutex_
  void set_error(std::optional<std::string> error);
  void run(std::stop_token stop);

  const std::string path_;
  const Options options_;
  std::atomic<std::shared_ptr<const ScoringConfig>> config_;
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> generation_{0};

  std::mutex reload_mutex_;            // one reload at a time (the poll thread and SIGHUP)
  size_t applied_hash_;                // hash of the content in force
  std::optional<size_t> failed_hash_;  // content last refused, so it is logged once
  std::optional<Fingerprint> last_seen_;

  mutable std::mutex error_mutex_;
  std::optional<std::string> last_error_;

  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace epc
