#include "scheduler/kube/api_pod_binder.h"

#include <exception>
#include <string>
#include <utility>

namespace epc {
namespace {

// The API server's conflict message for a pod bound before (registry/core/pod/storage).
bool already_bound_to(const Error& error, const std::string& node) {
  return error.message.find("HTTP 409") != std::string::npos &&
         error.message.find("already assigned to node \"" + node + "\"") != std::string::npos;
}

}  // namespace

void ApiPodBinder::bind(const BindingArgs& binding, Done done) const {
  const std::string node = binding.node;
  client_.create_binding(binding.pod_namespace, binding.pod_name, binding.pod_uid, binding.node)
      .then([done = std::move(done), node](pplx::task<Result<void>> created) {
        Result<void> outcome = make_error("binding failed: unknown error");
        try {
          outcome = created.get();
        } catch (const std::exception& e) {
          outcome = make_error(std::string("binding failed: ") + e.what());
        }
        if (!outcome && already_bound_to(outcome.error(), node)) outcome = Result<void>{};
        done(std::move(outcome));
      });
}

}  // namespace epc
