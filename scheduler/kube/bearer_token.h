// BearerToken: the token sent with every API request, fixed or read from a file that rotates.
//
// Projected service-account tokens are replaced by the kubelet well before they expire, so a
// token file is re-read when its modification time or size changes, checked at most once per
// `check_interval` so that a busy client does not stat the file on every request. A failed re-read
// keeps the last good token (the file may be mid-replacement); only a file never read is an error.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "model/result.h"

namespace epc {

class BearerToken {
 public:
  // Empty `token` and `token_file`: no Authorization header.
  BearerToken(std::string token, std::string token_file,
              std::chrono::milliseconds check_interval = std::chrono::seconds(1));

  // The token to send now; empty for none. Thread-safe.
  Result<std::string> current();

 private:
  struct FileStamp {
    std::filesystem::file_time_type modified;
    uintmax_t size = 0;
    bool operator==(const FileStamp&) const = default;
  };

  Result<void> reload_if_changed();

  const std::string fixed_;
  const std::string file_;
  const std::chrono::milliseconds check_interval_;
  std::mutex mutex_;
  std::string token_;
  std::optional<FileStamp> stamp_;
  std::optional<std::chrono::steady_clock::time_point> checked_at_;
};

}  // namespace epc
