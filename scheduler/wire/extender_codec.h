// The extender protocol's JSON codec.
//
// Decoding uses simdjson's on-demand API and reads only the fields decisions need: a Nodes-mode
// request at 500 real-sized nodes is ~4.5 MB, and kube-scheduler waits for every call. Keys of the
// protocol's envelope (`Pod`, `Nodes`, `NodeNames`, `PodUID`, ...) match in any case, as Go's
// encoding/json does on kube-scheduler's side; `null` is accepted for every optional field; for a
// repeated key the last one wins, as in Go. Replies use the canonical PascalCase keys.
//
// Bodies must be padded (simdjson reads up to SIMDJSON_PADDING bytes past the end): use
// `pad_body`. Only EPC resources (per EpcResources) are kept in decoded pods and nodes.
#pragma once

#include <string>
#include <string_view>

#include "model/epc_resources.h"
#include "model/result.h"
#include "scheduler/wire/extender_args.h"
#include "scheduler/wire/json_reader.h"
#include "scheduler/wire/kube_objects.h"

namespace epc {

// Ensures `body` has the spare capacity the decoder reads past its end; no copy when it already
// has.
void pad_body(std::string& body);

// Errors are precise: `Pod: expected an object, got string`, `missing Pod`,
// `Nodes.items[3].metadata.name: expected a string`, `invalid JSON: ...`.
// `parsers` lends the decoder a warm parser (see JsonParserPool). Nodes keep only `node_labels`.
// The args view `padded_body` (each node's raw JSON, the node names), so it must outlive them; a
// temporary body does not compile.
Result<ExtenderArgs> decode_extender_args(JsonParserPool& parsers, const std::string& padded_body,
                                          const EpcResources& epc,
                                          const NodeLabelKeys& node_labels = {});
Result<ExtenderArgs> decode_extender_args(JsonParserPool& parsers, const std::string&& padded_body,
                                          const EpcResources& epc,
                                          const NodeLabelKeys& node_labels = {}) = delete;
Result<BindingArgs> decode_binding_args(JsonParserPool& parsers, const std::string& padded_body);
Result<PreemptionArgs> decode_preemption_args(JsonParserPool& parsers,
                                              const std::string& padded_body,
                                              const EpcResources& epc);

std::string encode_filter_result(const FilterResult& result);
std::string encode_host_priorities(const std::vector<HostPriority>& priorities);
std::string encode_binding_result(std::string_view error);
std::string encode_preemption_result(const PreemptionResult& result);
// {"Error": "..."} for HTTP error replies.
std::string encode_error(std::string_view error);

}  // namespace epc
