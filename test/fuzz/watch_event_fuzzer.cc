// libFuzzer target: what the Kubernetes API sends for list/watch (scheduler/kube/watch_event.h):
// one watch event line, one page of a NodeList/PodList, and a metav1.Status.
//
// The first input byte picks the resource kind (its low bit) so one corpus covers pods and nodes;
// the rest is the document. Every decoder sees every input: they share the readers, and a document
// meant for one is a good malformed input for the others. Invariants: an event's pod/node matches
// its type and the watched kind, pages hold only the watched kind, and decoding is deterministic
// with a warm parser from the pool.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scheduler/kube/watch_event.h"
#include "scheduler/wire/extender_codec.h"
#include "test/fuzz/fuzz_check.h"

namespace epc::fuzz {
namespace {

void check_event(const Result<WatchEvent>& event, ResourceKind kind) {
  if (!event) {
    check(!event.error().message.empty(), "a refused event must say why");
    return;
  }
  const bool has_object =
      event->type != WatchEventType::Bookmark && event->type != WatchEventType::Error;
  check(!event->pod || (has_object && kind == ResourceKind::Pods),
        "only pod-watch ADDED/MODIFIED/DELETED events carry a pod");
  check(!event->node || (has_object && kind == ResourceKind::Nodes),
        "only node-watch ADDED/MODIFIED/DELETED events carry a node");
  check(!has_object || event->pod.has_value() || event->node.has_value(),
        "an ADDED/MODIFIED/DELETED event carries its object");
  check(event->type == WatchEventType::Error || event->status.code == 0,
        "only ERROR events carry a status");
}

void check_page(const Result<ListPage>& page, ResourceKind kind) {
  if (!page) return;
  check(kind == ResourceKind::Pods ? page->nodes.empty() : page->pods.empty(),
        "a page holds only the listed kind");
}

}  // namespace
}  // namespace epc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace epc;
  if (size == 0) return 0;
  // One pool for the whole run, as the reflector keeps one: parser reuse is part of what is tested.
  static JsonParserPool parsers(1);
  const EpcResources epc = EpcResources::defaults();
  const ResourceKind kind = (data[0] & 1) != 0 ? ResourceKind::Nodes : ResourceKind::Pods;
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  pad_body(body);

  const Result<WatchEvent> event = decode_watch_event(parsers, body, kind, epc);
  fuzz::check_event(event, kind);
  const Result<WatchEvent> again = decode_watch_event(parsers, body, kind, epc);
  fuzz::check(
      again.ok() == event.ok() && (!event || (again->type == event->type &&
                                              again->resource_version == event->resource_version)),
      "decoding an event must be deterministic");
  fuzz::check_page(decode_list_page(parsers, body, kind, epc), kind);
  (void)decode_status(parsers, body);
  return 0;
}
