#include "scheduler/kube/bearer_token.h"

#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace epc {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

BearerToken::BearerToken(std::string token, std::string token_file,
                         std::chrono::milliseconds check_interval)
    : fixed_(std::move(token)), file_(std::move(token_file)), check_interval_(check_interval) {}

Result<std::string> BearerToken::current() {
  if (file_.empty()) return fixed_;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!checked_at_ || now - *checked_at_ >= check_interval_) {
    checked_at_ = now;
    Result<void> reloaded = reload_if_changed();
    if (!reloaded && !stamp_) return reloaded.error();
  }
  return token_;
}

Result<void> BearerToken::reload_if_changed() {
  std::error_code error;
  FileStamp stamp{std::filesystem::last_write_time(file_, error), 0};
  if (!error) stamp.size = std::filesystem::file_size(file_, error);
  if (error) return make_error("cannot read token file " + file_ + ": " + error.message());
  if (stamp_ && *stamp_ == stamp) return {};
  std::ifstream in(file_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return make_error("cannot read token file " + file_);
  token_ = trim(text.str());
  stamp_ = stamp;
  return {};
}

}  // namespace epc
