#include "scheduler/kube/api_pod_binder.h"

#include <exception>
#include <optional>
#include <string>
#include <utility>

namespace epc {
namespace {

// The API server's conflict message for a pod bound before, to this very node (BindingREST's
// setPodHostAndAnnotations: `pod %v is already assigned to node %q`). The status code alone cannot
// say which node, so this one case reads the message.
bool already_bound_to(const CreateOutcome& created, const std::string& pod,
                      const std::string& node) {
  return created.http_status == 409 &&
         created.result.error().message.find("pod " + pod + " is already assigned to node \"" +
                                             node + "\"") != std::string::npos;
}

}  // namespace

BindFailure binding_failure(int http_status) {
  if (http_status == 408 || http_status == 429) return BindFailure::kUnknown;
  if (http_status >= 400 && http_status < 500) return BindFailure::kRefused;
  return BindFailure::kUnknown;
}

void ApiPodBinder::bind(const BindingArgs& binding, Done done) const {
  const std::string pod = binding.pod_name;
  const std::string node = binding.node;
  client_.create_binding(binding.pod_namespace, binding.pod_name, binding.pod_uid, binding.node)
      .then([done = std::move(done), pod, node](pplx::task<CreateOutcome> sent) {
        CreateOutcome created{make_error("binding failed: unknown error"), 0};
        try {
          created = sent.get();
        } catch (const std::exception& e) {
          created = {make_error(std::string("binding failed: ") + e.what()), 0};
        }
        if (created.result || already_bound_to(created, pod, node)) return done(std::nullopt);
        done(BindError{created.result.error().message, binding_failure(created.http_status)});
      });
}

}  // namespace epc
