// Router: maps a request's method and path to what the HTTP server does with it.
//
// Kept free of any transport type so the routing rules (prefix handling, 404 versus 405 and its
// Allow list) are unit-tested without sockets. The extender verbs live under the configured prefix
// because kube-scheduler appends the verb to its urlPrefix; the probe and version endpoints stay at
// the root so that probes do not depend on how the scheduler is configured.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "scheduler/extender/verb.h"

namespace epc {

enum class Endpoint { kVerb, kHealthz, kReadyz, kVersion, kPage };

struct Route {
  Endpoint endpoint = Endpoint::kVerb;
  Verb verb = Verb::kFilter;  // meaningful for kVerb only
  size_t page = 0;            // kPage: the index into the router's page paths
};
struct NoRoute {};    // 404
struct WrongMethod {  // 405
  std::string allow;  // the Allow header's value
};
using RouteResult = std::variant<Route, NoRoute, WrongMethod>;

// kube-scheduler strips trailing slashes from urlPrefix, so "/sgx/" and "sgx" both mean "/sgx";
// "" and "/" mean the root.
std::string normalize_prefix(std::string_view prefix);

// Which of the server's endpoint groups a listener answers; a path of a group it does not serve
// is unknown there (404), as if the endpoint did not exist.
enum class Verbs { kServed, kNotServed };

class Router {
 public:
  // `page_paths`: extra GET endpoints at the root, matched after the probes. `verbs`: kNotServed
  // for a listener that serves only probes and pages (--monitoring-listen).
  explicit Router(std::string_view prefix, std::vector<std::string> page_paths = {},
                  Verbs verbs = Verbs::kServed)
      : prefix_(normalize_prefix(prefix)), page_paths_(std::move(page_paths)), verbs_(verbs) {}

  // `path` is the request path without query string; matching is exact and case-sensitive.
  RouteResult route(std::string_view method, std::string_view path) const;
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
  std::vector<std::string> page_paths_;
  Verbs verbs_;
};

}  // namespace epc
