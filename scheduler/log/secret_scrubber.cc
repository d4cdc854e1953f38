#include "scheduler/log/secret_scrubber.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace epc {
namespace {

constexpr std::string_view kBearer = "bearer";
constexpr std::string_view kPemBegin = "-----BEGIN ";
constexpr std::string_view kPemDashes = "-----";
constexpr std::string_view kPrivateKeyLabel = "PRIVATE KEY";
constexpr std::string_view kSchemeEnd = "://";
constexpr std::string_view kJwtStart = "eyJ";  // base64url of `{"`, how every JWT header starts

// RFC 6750's b64token characters, which also cover JWTs and opaque tokens.
bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
         c == '/' || c == '=';
}

bool is_base64url_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '-' || c == '_';
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A redaction: replace [begin, end) of the text.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// "Bearer abc" at `at`: the token after the scheme and its spaces, if any.
std::optional<Span> bearer_token_at(std::string_view text, size_t at) {
  if (at + kBearer.size() > text.size() || !iequals(text.substr(at, kBearer.size()), kBearer)) {
    return std::nullopt;
  }
  if (at > 0 && is_token_char(text[at - 1])) return std::nullopt;  // part of a longer word
  size_t begin = at + kBearer.size();
  if (begin >= text.size() || (text[begin] != ' ' && text[begin] != '\t')) return std::nullopt;
  while (begin < text.size() && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  size_t end = begin;
  while (end < text.size() && is_token_char(text[end])) ++end;
  if (end == begin) return std::nullopt;
  return Span{begin, end};
}

// "eyJ...(.)...(.)..." at `at`: three base64url parts, the last possibly empty (unsigned JWTs).
std::optional<Span> jwt_at(std::string_view text, size_t at) {
  if (text.substr(at, kJwtStart.size()) != kJwtStart) return std::nullopt;
  if (at > 0 && is_base64url_char(text[at - 1])) return std::nullopt;
  size_t end = at;
  int dots = 0;
  while (end < text.size() && (is_base64url_char(text[end]) || text[end] == '.')) {
    if (text[end] == '.') ++dots;
    ++end;
  }
  if (dots < 2) return std::nullopt;
  return Span{at, end};
}

// "-----BEGIN <label>PRIVATE KEY-----" at `at`, through its END line or, cut off, the text's end.
std::optional<Span> private_key_at(std::string_view text, size_t at) {
  if (text.substr(at, kPemBegin.size()) != kPemBegin) return std::nullopt;
  const size_t label_end = text.find(kPemDashes, at + kPemBegin.size());
  if (label_end == std::string_view::npos) return std::nullopt;
  const std::string_view label =
      text.substr(at + kPemBegin.size(), label_end - at - kPemBegin.size());
  if (!label.ends_with(kPrivateKeyLabel)) return std::nullopt;
  const std::string end_line = "-----END " + std::string(label) + std::string(kPemDashes);
  const size_t end = text.find(end_line, label_end);
  return Span{at, end == std::string_view::npos ? text.size() : end + end_line.size()};
}

// "://user:password@" at `at`: the userinfo of a URL, which may carry a password.
std::optional<Span> url_userinfo_at(std::string_view text, size_t at) {
  if (text.substr(at, kSchemeEnd.size()) != kSchemeEnd) return std::nullopt;
  const size_t begin = at + kSchemeEnd.size();
  for (size_t end = begin; end < text.size(); ++end) {
    const char c = text[end];
    if (c == '@') return end > begin ? std::optional<Span>(Span{begin, end}) : std::nullopt;
    if (c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' ||
        std::isspace(static_cast<unsigned char>(c)) != 0) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<Span> secret_at(std::string_view text, size_t at) {
  switch (text[at]) {
    case ':':
      return url_userinfo_at(text, at);
    case 'b':
    case 'B':
      return bearer_token_at(text, at);
    case 'e':
      return jwt_at(text, at);
    case '-':
      return private_key_at(text, at);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string scrub_secrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;  // text[0, copied) is in `out`
  for (size_t at = 0; at < text.size();) {
    const std::optional<Span> secret = secret_at(text, at);
    if (!secret) {
      ++at;
      continue;
    }
    out.append(text.substr(copied, secret->begin - copied));
    out.append(kRedacted);
    copied = at = secret->end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace epc
