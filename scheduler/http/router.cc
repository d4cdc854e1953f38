#include "scheduler/http/router.h"

#include <array>
#include <optional>

namespace epc {
namespace {

struct VerbPath {
  std::string_view name;
  Verb verb;
};
constexpr std::array<VerbPath, 4> kVerbs = {{{"/filter", Verb::kFilter},
                                             {"/prioritize", Verb::kPrioritize},
                                             {"/bind", Verb::kBind},
                                             {"/preempt", Verb::kPreempt}}};

struct ProbePath {
  std::string_view path;
  Endpoint endpoint;
};
constexpr std::array<ProbePath, 3> kProbes = {{{"/healthz", Endpoint::kHealthz},
                                               {"/readyz", Endpoint::kReadyz},
                                               {"/version", Endpoint::kVersion}}};

std::optional<Verb> verb_at(std::string_view prefix, std::string_view path) {
  if (!path.starts_with(prefix)) return std::nullopt;
  const std::string_view rest = path.substr(prefix.size());
  for (const VerbPath& entry : kVerbs) {
    if (rest == entry.name) return entry.verb;
  }
  return std::nullopt;
}

std::optional<Endpoint> probe_at(std::string_view path) {
  for (const ProbePath& entry : kProbes) {
    if (path == entry.path) return entry.endpoint;
  }
  return std::nullopt;
}

}  // namespace

std::string normalize_prefix(std::string_view prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.empty()) return {};
  std::string normalized(prefix);
  if (normalized.front() != '/') normalized.insert(normalized.begin(), '/');
  return normalized;
}

RouteResult Router::route(std::string_view method, std::string_view path) const {
  if (const std::optional<Verb> verb =
          verbs_ == Verbs::kServed ? verb_at(prefix_, path) : std::nullopt) {
    if (method != "POST") return WrongMethod{"POST"};
    return Route{Endpoint::kVerb, *verb};
  }
  if (const std::optional<Endpoint> probe = probe_at(path)) {
    if (method != "GET") return WrongMethod{"GET"};
    return Route{*probe, Verb::kFilter};
  }
  for (size_t i = 0; i < page_paths_.size(); ++i) {
    if (path != page_paths_[i]) continue;
    if (method != "GET") return WrongMethod{"GET"};
    return Route{Endpoint::kPage, Verb::kFilter, i};
  }
  return NoRoute{};
}

}  // namespace epc
