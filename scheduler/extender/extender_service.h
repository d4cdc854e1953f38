// ExtenderService: the verb handlers, from request bytes to reply bytes.
//
// It knows the protocol but not the transport: the HTTP layer hands it a verb and a body and sends
// back what it returns, so every verb is testable without a socket. Data flows one way: decode →
// model decision against one cluster snapshot and one policy → encode. Status codes: 200 for every
// decodable request (decision failures go in the protocol's Error field, as kube-scheduler
// expects), 400 for a body that is not a valid request of the verb.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "model/cluster_state.h"
#include "model/placement_policy.h"
#include "scheduler/extender/json_reader.h"

namespace epc {

enum class Verb { kFilter, kPrioritize, kBind, kPreempt };

struct Reply {
  int status = 200;
  std::string body;  // JSON
};

class ExtenderService {
 public:
  // `policy` is read once per request, so a config swap never changes a decision half way.
  using PolicySource = std::function<std::shared_ptr<const PlacementPolicy>()>;

  ExtenderService(ClusterState& state, PolicySource policy);

  // `body` is padded here if needed (see pad_body).
  Reply handle(Verb verb, std::string body) const;

  Reply filter(std::string body) const;
  Reply prioritize(std::string body) const;
  Reply bind(std::string body) const;
  Reply preempt(std::string body) const;

 private:
  ClusterState& state_;
  PolicySource policy_;
  mutable JsonParserPool parsers_;  // warm parsers shared by concurrent requests
};

}  // namespace epc
