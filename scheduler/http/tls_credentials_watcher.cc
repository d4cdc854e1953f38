#include "scheduler/http/tls_credentials_watcher.h"

#include <sys/stat.h>

#include <utility>

namespace epc {
namespace {

int64_t mtime_ns(const struct stat& info) {
  return static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
}

std::string describe(const TlsCredentials& credentials) {
  return "certificate serial " + credentials.serial() +
         (credentials.chain_length() > 0
              ? " with " + std::to_string(credentials.chain_length()) + " chain certificate(s)"
              : "");
}

}  // namespace

Result<std::shared_ptr<TlsCredentialsWatcher>> TlsCredentialsWatcher::open(TlsFiles files,
                                                                           Options options) {
  // Stamped before reading, so a change racing with this read is seen at the first check.
  Stamps stamps = stamps_of(files);
  Result<TlsCredentials> credentials = load_tls_credentials(files);
  if (!credentials) return credentials.error();
  return std::shared_ptr<TlsCredentialsWatcher>(new TlsCredentialsWatcher(
      std::move(files), std::move(options), std::move(*credentials), std::move(stamps)));
}

TlsCredentialsWatcher::TlsCredentialsWatcher(TlsFiles files, Options options,
                                             TlsCredentials initial, Stamps stamps)
    : files_(std::move(files)),
      options_(std::move(options)),
      current_(std::make_shared<const TlsCredentials>(std::move(initial))),
      seen_(std::move(stamps)) {
  next_check_ = now() + options_.interval;
}

TlsCredentialsWatcher::Stamps TlsCredentialsWatcher::stamps_of(const TlsFiles& files) {
  Stamps stamps;
  const auto stamp = [&](const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
      stamps.emplace_back();
      return;
    }
    stamps.push_back(FileStamp{info.st_dev, info.st_ino, info.st_size, mtime_ns(info)});
  };
  stamp(files.certificate);
  stamp(files.private_key);
  if (files.client_ca) stamp(*files.client_ca);
  return stamps;
}

std::chrono::steady_clock::time_point TlsCredentialsWatcher::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

bool TlsCredentialsWatcher::check_due() {
  const auto at = now();
  std::lock_guard lock(mutex_);
  if (at < next_check_) return false;
  next_check_ = at + options_.interval;
  return true;
}

void TlsCredentialsWatcher::configure(boost::asio::ssl::context& context) noexcept {
  try {
    if (check_due()) {
      // A reload already running elsewhere is not waited for: this connection uses the
      // credentials in force.
      std::unique_lock reloading(reload_mutex_, std::try_to_lock);
      if (reloading) (void)reload_if_changed();
    }
    const std::shared_ptr<const TlsCredentials> credentials = current();
    if (Result<void> configured = credentials->configure(context.native_handle()); !configured) {
      if (options_.warning) options_.warning(configured.error().message);
    }
  } catch (...) {
    // Out of memory at worst; the handshake then fails for want of a certificate.
  }
}

Result<void> TlsCredentialsWatcher::check_now() {
  std::lock_guard reloading(reload_mutex_);
  return reload_if_changed();
}

Result<void> TlsCredentialsWatcher::reload_if_changed() {
  Stamps stamps = stamps_of(files_);
  // After a failure every check tries again: the failure may be the first half of a rotation
  // whose second half did not change what a stat shows.
  if (!last_failed_ && stamps == seen_) return {};
  seen_ = stamps;
  Result<TlsCredentials> loaded = load_tls_credentials(files_);
  if (!loaded) {
    refuse(stamps, loaded.error().message);
    return loaded.error();
  }
  auto credentials = std::make_shared<const TlsCredentials>(std::move(*loaded));
  const std::string summary = describe(*credentials);
  {
    std::lock_guard lock(mutex_);
    current_ = std::move(credentials);
    ++generation_;
    last_error_.reset();
  }
  last_failed_ = false;
  logged_failure_.reset();
  if (options_.info) {
    options_.info("TLS credentials reloaded from " + files_.certificate + ": " + summary);
  }
  return {};
}

void TlsCredentialsWatcher::refuse(const Stamps& stamps, const std::string& message) {
  last_failed_ = true;
  std::string in_force;
  {
    std::lock_guard lock(mutex_);
    last_error_ = message;
    in_force = describe(*current_);
  }
  if (logged_failure_ && logged_failure_->first == stamps && logged_failure_->second == message) {
    return;
  }
  logged_failure_.emplace(stamps, message);
  if (options_.warning) {
    options_.warning("TLS credentials reload failed, keeping the " + in_force + ": " + message);
  }
}

std::shared_ptr<const TlsCredentials> TlsCredentialsWatcher::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

uint64_t TlsCredentialsWatcher::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::optional<std::string> TlsCredentialsWatcher::last_reload_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace epc
