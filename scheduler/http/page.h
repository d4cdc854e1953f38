// Page: a read-only GET endpoint the HTTP server serves at the root beside its probes, rendered
// afresh for each request (/metrics, /debug/state, /status).
//
// The server knows nothing of what a page shows; whoever owns the data hands it a renderer, so the
// transport stays free of metrics and model types. A renderer runs on a listener pool thread and
// must not wait for anything but the CPU.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "scheduler/extender/verb.h"

namespace epc {

struct Page {
  std::string path;          // e.g. "/metrics"; exact match
  std::string content_type;  // e.g. "text/plain; version=0.0.4; charset=utf-8"
  std::function<std::string()> render;
};

// Told of each verb call once its reply is handed to the listener: the outcome, and the time since
// the request's headers arrived (body transfer included, as kube-scheduler waits for all of it).
using VerbReplyObserver = std::function<void(Verb, Outcome, std::chrono::duration<double>)>;

}  // namespace epc
