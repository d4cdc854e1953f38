#include "config/config_watcher.h"

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <utility>

namespace epc {
namespace {

size_t hash_of(std::string_view text) {
  return std::hash<std::string_view>{}(text);
}

}  // namespace

Result<std::unique_ptr<ConfigWatcher>> ConfigWatcher::open(std::string path, Options options) {
  // The fingerprint is taken before reading, so a change racing with this read is seen again.
  std::optional<Fingerprint> before;
  {
    std::error_code error;
    const std::filesystem::path resolved = std::filesystem::canonical(path, error);
    struct stat info {};
    if (!error && ::stat(resolved.c_str(), &info) == 0) {
      before = Fingerprint{
          resolved.string(), info.st_dev, info.st_ino, info.st_size,
          static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
    }
  }
  Result<std::string> text = read_config_file(path);
  if (!text) return text.error();
  Result<ScoringConfig> config = load_config(path);
  if (!config) return config.error();
  return std::unique_ptr<ConfigWatcher>(new ConfigWatcher(
      std::move(path), std::move(options), std::move(*config), hash_of(*text), before));
}

ConfigWatcher::ConfigWatcher(std::string path, Options options, ScoringConfig initial,
                             size_t content_hash, std::optional<Fingerprint> fingerprint)
    : path_(std::move(path)),
      options_(std::move(options)),
      config_(std::make_shared<const ScoringConfig>(std::move(initial))),
      applied_hash_(content_hash),
      last_seen_(std::move(fingerprint)) {}

ConfigWatcher::~ConfigWatcher() {
  stop();
}

void ConfigWatcher::start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void ConfigWatcher::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void ConfigWatcher::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(wake_mutex_);
      // Returns early when stop is requested.
      wake_.wait_for(lock, stop, options_.interval, [] { return false; });
    }
    if (stop.stop_requested()) return;
    poll();
  }
}

std::shared_ptr<const PlacementPolicy> ConfigWatcher::policy() const {
  std::shared_ptr<const ScoringConfig> config = config_.load();
  return std::shared_ptr<const PlacementPolicy>(config, &config->policy);
}

std::optional<std::string> ConfigWatcher::last_reload_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

void ConfigWatcher::set_error(std::optional<std::string> error) {
  std::lock_guard lock(error_mutex_);
  last_error_ = std::move(error);
}

std::optional<ConfigWatcher::Fingerprint> ConfigWatcher::fingerprint() const {
  std::error_code error;
  const std::filesystem::path resolved = std::filesystem::canonical(path_, error);
  if (error) return std::nullopt;
  struct stat info {};
  if (::stat(resolved.c_str(), &info) != 0) return std::nullopt;
  return Fingerprint{
      resolved.string(), info.st_dev, info.st_ino, info.st_size,
      static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

void ConfigWatcher::poll() {
  std::lock_guard lock(reload_mutex_);
  std::optional<Fingerprint> now = fingerprint();
  // A missing file (mid-swap, or deleted) keeps the config in force; it is read once it is back.
  if (!now || now == last_seen_) return;
  last_seen_ = std::move(now);
  (void)apply_file();  // logged and kept as last_reload_error
}

Result<void> ConfigWatcher::reload() {
  std::lock_guard lock(reload_mutex_);
  last_seen_ = fingerprint();
  failed_hash_.reset();  // an explicit reload reports again
  return apply_file();
}

Result<void> ConfigWatcher::apply_file() {
  const auto refuse = [&](std::string message, size_t hash) -> Result<void> {
    const bool repeated = failed_hash_ == hash;
    failed_hash_ = hash;
    failures_.fetch_add(1);
    set_error(message);
    if (!repeated && options_.log) {
      options_.log("scoring config reload failed, keeping the config in force: " + message);
    }
    return make_error(std::move(message));
  };
  Result<std::string> text = read_config_file(path_);
  if (!text) return refuse(text.error().message, 0);
  const size_t hash = hash_of(*text);
  if (hash == applied_hash_) {
    set_error(std::nullopt);  // the file in force is back (e.g. a bad edit was reverted)
    return {};
  }
  // Every error line names the file, as at startup.
  Result<ScoringConfig> config = parse_config_file(path_, *text);
  if (!config) return refuse(config.error().message, hash);
  if (!same_resources(config->resources, config_.load()->resources)) {
    return refuse(path_ +
                      ": epcResources: EPC resource names and units take effect only when "
                      "epc-extender restarts; the file was not applied",
                  hash);
  }
  config_.store(std::make_shared<const ScoringConfig>(std::move(*config)));
  applied_hash_ = hash;
  failed_hash_.reset();
  generation_.fetch_add(1);
  set_error(std::nullopt);
  if (options_.log) options_.log("scoring config reloaded from " + path_);
  return {};
}

}  // namespace epc
