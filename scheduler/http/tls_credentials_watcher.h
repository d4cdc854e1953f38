// TlsCredentialsWatcher: the TLS credentials in force while the extender runs, re-read when their
// files change, so a renewed certificate is served without a restart.
//
// cpprestsdk calls configure() for every accepted connection with a fresh SSL context. There the
// watcher, at most once per interval, stats the files (following symlinks: a Kubernetes Secret
// volume is updated by re-pointing its `..data` symlink, so the inode changes, not the file) and,
// when inode, size or mtime of any differ from the last look, loads them anew; the connection then
// gets the credentials in force. Loading happens outside the lock that guards the pointer, and a
// connection arriving during a reload simply uses the previous credentials. A load that fails
// (a missing or unparsable file, or a certificate and key from different pairs, as between the two
// writes of a rotation that does not swap a symlink) keeps the credentials in force, is logged
// once per change and error, and is retried at every later check until it succeeds. The pointer is
// guarded by a mutex rather than std::atomic<std::shared_ptr>, which this toolchain's TSan
// misreports.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "model/result.h"
#include "scheduler/http/tls_credentials.h"
#include "scheduler/log_sink.h"

namespace epc {

class TlsCredentialsWatcher {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  struct Options {
    std::chrono::milliseconds interval{1000};  // the files are looked at no more often than this
    LogSink info;                              // "TLS credentials reloaded ..."; empty: silent
    LogSink warning;  // refused reloads, failed context setups; empty: silent
    Clock clock;      // empty: std::chrono::steady_clock
  };

  // Loads the files; any error is returned (startup should fail on it).
  static Result<std::shared_ptr<TlsCredentialsWatcher>> open(TlsFiles files, Options options);
  TlsCredentialsWatcher(const TlsCredentialsWatcher&) = delete;
  TlsCredentialsWatcher& operator=(const TlsCredentialsWatcher&) = delete;

  // The listener's per-connection hook: checks the files when the interval has passed, then sets
  // up `context` with the credentials in force. Never throws: a context it could not set up fails
  // that connection's handshake, and the reason is logged.
  void configure(boost::asio::ssl::context& context) noexcept;

  // Looks at the files now, whatever the interval. Ok when nothing changed or the new files were
  // applied; otherwise why they were refused (also kept as last_reload_error()).
  Result<void> check_now();

  std::shared_ptr<const TlsCredentials> current() const;
  // How many times new credentials were published since open.
  uint64_t generation() const;
  // Why the latest reload attempt failed; empty once a later one succeeded.
  std::optional<std::string> last_reload_error() const;

 private:
  // What a stat of one file (through its symlinks) shows; nullopt when it cannot be stat'ed.
  struct FileStamp {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
  };
  using Stamps = std::vector<std::optional<FileStamp>>;

  TlsCredentialsWatcher(TlsFiles files, Options options, TlsCredentials initial, Stamps stamps);
  static Stamps stamps_of(const TlsFiles& files);
  std::chrono::steady_clock::time_point now() const;
  bool check_due();
  Result<void> reload_if_changed();  // under reload_mutex_
  void refuse(const Stamps& stamps, const std::string& message);

  const TlsFiles files_;
  const Options options_;

  mutable std::mutex mutex_;  // guards the members below up to reload_mutex_
  std::shared_ptr<const TlsCredentials> current_;
  uint64_t generation_ = 0;
  std::optional<std::string> last_error_;
  std::chrono::steady_clock::time_point next_check_;

  std::mutex reload_mutex_;  // one reload at a time; guards the members below
  Stamps seen_;              // the stamps of the files last read
  bool last_failed_ = false;
  std::optional<std::pair<Stamps, std::string>> logged_failure_;  // logged once per change
};

}  // namespace epc
