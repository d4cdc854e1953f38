// Router: maps a request's method and path to what the HTTP server does with it.
//
// Kept free of any transport type so the routing rules (prefix handling, 404 versus 405 and its
// Allow list) are unit-tested without sockets. The extender verbs live under the configured prefix
// because kube-scheduler appends the verb to its urlPrefix; the probe and version endpoints stay at
// the root so that probes do not depend on how the scheduler is configured.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "scheduler/extender/extender_service.h"

namespace epc {

enum class Endpoint { kVerb, kHealthz, kReadyz, kVersion };

struct Route {
  Endpoint endpoint = Endpoint::kVerb;
  Verb verb = Verb::kFilter;  // meaningful for kVerb only
};
struct NoRoute {};    // 404
struct WrongMethod {  // 405
  std::string allow;  // the Allow header's value
};
using RouteResult = std::variant<Route, NoRoute, WrongMethod>;

// kube-scheduler strips trailing slashes from urlPrefix, so "/sgx/" and "sgx" both mean "/sgx";
// "" and "/" mean the root.
std::string normalize_prefix(std::string_view prefix);

class Router {
 public:
  explicit Router(std::string_view prefix) : prefix_(normalize_prefix(prefix)) {}

  // `path` is the request path without query string; matching is exact and case-sensitive.
  RouteResult route(std::string_view method, std::string_view path) const;
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
};

}  // namespace epc
