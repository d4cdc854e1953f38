#!/usr/bin/env python3
"""A test-only fake Kubernetes API server (stdlib only).

It serves the small slice of the real kube-apiserver protocol that the
extender's list/watch client uses -- nodes and pods list/watch, the pod
binding subresource, creating (and listing) core/v1 Events, /version and the
health endpoints -- plus what a real kube-scheduler needs to run against it
(list/watch of the other kinds its informers read, pods/status patches,
events.k8s.io/v1 Events, discovery), with the same
wire format as the real server (JSON ``Status`` errors, chunked watch streams
of newline-terminated events, opaque continue tokens, 410 "Expired" on
compacted resource versions, BOOKMARK events).  Everything else a test needs
(creating objects, compaction, fault injection, request inspection) goes
through an unauthenticated ``/_control/`` JSON API.

Run ``fake_apiserver.py --help`` for flags; README.md beside this file lists
the flags and the control API.  On start it prints exactly one line,
``LISTENING <port>``, to stdout.
"""

import argparse
import base64
import collections
import copy
import json
import os
import re
import select
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# --------------------------------------------------------------------------
# Wire-format constants (texts as the real apiserver sends them)
# --------------------------------------------------------------------------

# k8s.io/apiserver/pkg/storage/etcd3/errors.go
MSG_EXPIRED_LIST = "The resourceVersion for the provided list is too old."
MSG_CONTINUE_INCONSISTENT = (
    "The provided continue parameter is too old to display a consistent list "
    "result. You can start a new list without the continue parameter, or use "
    "the continue token in this response to retrieve the remainder of the "
    "results. Continuing with the provided token results in an inconsistent "
    "list - objects that were created, modified, or deleted between the time "
    "the first chunk was returned and now may show up in the list.")
MSG_NOT_FOUND_PATH = "the server could not find the requested resource"
# k8s.io/apimachinery/pkg/api/errors NewGenericServerResponse for 422, which
# the apiserver's jsonPatcher.applyJSPatch (endpoints/handlers/patch.go)
# returns for any JSON Patch that does not apply, a failed "test" included.
MSG_PATCH_NOT_APPLIED = "the server rejected our request due to an error in our request"
# pkg/registry/core/pod/storage/eviction.go
MSG_EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."
MSG_EVICTION_MANY_PDBS = ("This pod has more than one PodDisruptionBudget, which the "
                          "eviction subresource does not support.")
# k8s.io/apiserver/pkg/registry/generic/registry/store.go (errors.NewConflict
# with OptimisticLockErrorMsg) for an update whose resourceVersion is stale.
MSG_OPTIMISTIC_LOCK = ("the object has been modified; please apply your changes "
                       "to the latest version and try again")

VERSION_INFO = {
    "major": "1", "minor": "30", "gitVersion": "v1.30.0-fake",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean", "buildDate": "2024-01-01T00:00:00Z",
    "goVersion": "go1.22.0", "compiler": "gc", "platform": "linux/amd64",
}

# kind -> (resource, list kind, namespaced, group/version)
# Nodes and pods are what the extender reads.  The others are the kinds a real
# kube-scheduler's informers list and watch before it schedules anything
# (volume binding and limits, topology spread, inter-pod affinity, preemption):
# they work like nodes and pods (created through /_control/objects, listed and
# watched), and a test that never creates one sees an empty list and an idle
# watch, which is all kube-scheduler needs to start.
KINDS = {
    "Node": ("nodes", "NodeList", False, "v1"),
    "Pod": ("pods", "PodList", True, "v1"),
    "Namespace": ("namespaces", "NamespaceList", False, "v1"),
    "Service": ("services", "ServiceList", True, "v1"),
    "ReplicationController": ("replicationcontrollers", "ReplicationControllerList", True, "v1"),
    "PersistentVolume": ("persistentvolumes", "PersistentVolumeList", False, "v1"),
    "PersistentVolumeClaim": ("persistentvolumeclaims", "PersistentVolumeClaimList", True, "v1"),
    "ReplicaSet": ("replicasets", "ReplicaSetList", True, "apps/v1"),
    "StatefulSet": ("statefulsets", "StatefulSetList", True, "apps/v1"),
    "PodDisruptionBudget": ("poddisruptionbudgets", "PodDisruptionBudgetList", True, "policy/v1"),
    "StorageClass": ("storageclasses", "StorageClassList", False, "storage.k8s.io/v1"),
    "CSINode": ("csinodes", "CSINodeList", False, "storage.k8s.io/v1"),
    "CSIDriver": ("csidrivers", "CSIDriverList", False, "storage.k8s.io/v1"),
    "CSIStorageCapacity": ("csistoragecapacities", "CSIStorageCapacityList", True,
                           "storage.k8s.io/v1"),
    # The extender's consolidation elects one acting replica with a Lease.
    "Lease": ("leases", "LeaseList", True, "coordination.k8s.io/v1"),
}
RESOURCE_TO_KIND = {(v[3], v[0]): k for k, v in KINDS.items()}
# The write verbs served beyond the control API, per kind: the extender's
# consolidation taints nodes (JSON Patch) and keeps its Lease (create, update).
# Pods are written only through binding, status and eviction.
WRITE_VERBS = {"Node": ("patch",), "Lease": ("create", "patch", "update")}
# The group of the new Events API (kube-scheduler records through it when
# discovery lists it); core/v1 Events are served as well.
EVENTS_V1 = "events.k8s.io/v1"

# Field selectors the real apiserver accepts for these kinds (anything else
# is rejected with 400 "field label not supported"), see
# pkg/registry/core/{pod,node}/strategy.go.
SUPPORTED_FIELDS = {
    "Pod": {"metadata.name", "metadata.namespace", "spec.nodeName",
            "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
            "status.podIP", "status.nominatedNodeName"},
    "Node": {"metadata.name", "spec.unschedulable"},
    # every other kind: the two fields every resource supports
    None: {"metadata.name", "metadata.namespace"},
    # pkg/apis/core/v1/conversion.go (the event fields)
    "Event": {"metadata.name", "metadata.namespace", "involvedObject.kind",
              "involvedObject.namespace", "involvedObject.name",
              "involvedObject.uid", "involvedObject.apiVersion",
              "involvedObject.resourceVersion", "involvedObject.fieldPath",
              "reason", "reportingComponent", "type"},
}

# k8s.io/apimachinery/pkg/util/validation: IsDNS1123Subdomain
DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


def now_rfc3339():
    """RFC 3339 UTC timestamp with second precision, as metav1.Time encodes."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# --------------------------------------------------------------------------
# Status errors
# --------------------------------------------------------------------------

class ApiError(Exception):
    """An error that is sent to the client as a metav1.Status body."""

    def __init__(self, code, reason, message, details=None, list_continue=None,
                 headers=None):
        super().__init__(message)
        self.code = code
        self.status = status_body(code, reason, message, details, list_continue)
        self.headers = headers or {}


def status_body(code, reason, message, details=None, list_continue=None,
                status="Failure"):
    """Build a metav1.Status dict; empty fields are omitted like Go's omitempty."""
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": status}
    if list_continue:
        body["metadata"]["continue"] = list_continue
    if message:
        body["message"] = message
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def err_not_found(resource, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (resource, name),
                    {"name": name, "kind": resource})


def err_conflict(resource, name, cause):
    return ApiError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": %s'
                    % (resource, name, cause),
                    {"name": name, "kind": resource})


def qualified_resource(kind):
    """schema.GroupResource.String(): "pods", "leases.coordination.k8s.io"."""
    resource, _, _, group_version = KINDS[kind]
    group = group_version.split("/")[0] if "/" in group_version else ""
    return "%s.%s" % (resource, group) if group else resource


def err_already_exists(kind, name):
    resource, _, _, group_version = KINDS[kind]
    details = {"name": name, "kind": resource}
    if "/" in group_version:
        details["group"] = group_version.split("/")[0]
    return ApiError(409, "AlreadyExists",
                    '%s "%s" already exists' % (qualified_resource(kind), name), details)


def err_bad_request(message):
    return ApiError(400, "BadRequest", message)


def err_expired(message, list_continue=None):
    return ApiError(410, "Expired", message, list_continue=list_continue)


def err_too_old_watch(rv, oldest):
    # watch cache: errors.NewResourceExpired("too old resource version: %d (%d)")
    return err_expired("too old resource version: %d (%d)" % (rv, oldest))


def err_for_code(code, message="injected fault"):
    """A Status error for an injected HTTP status code, with the reason the
    real apiserver uses for that code."""
    reasons = {
        400: ("BadRequest", message),
        401: ("Unauthorized", "Unauthorized"),
        403: ("Forbidden", message),
        404: ("NotFound", message),
        409: ("Conflict", message),
        410: ("Expired", message),
        429: ("TooManyRequests", "Too many requests: " + message),
        500: ("InternalError", "Internal error occurred: " + message),
        503: ("ServiceUnavailable", message),
        504: ("Timeout", "Timeout: " + message),
    }
    reason, text = reasons.get(code, ("", message))
    headers = {"Retry-After": "1"} if code in (429, 503) else None
    details = {"retryAfterSeconds": 1} if code == 429 else None
    if code == 500:
        details = {"causes": [{"message": message}]}
    return ApiError(code, reason, text, details, headers=headers)


# --------------------------------------------------------------------------
# Selectors (equality-based subset of the real grammar)
# --------------------------------------------------------------------------

def split_top_level(text, sep=","):
    """Split on `sep` outside parentheses (label `in (a,b)` sets contain commas)."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


_LABEL_SET = re.compile(r"^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$")
_LABEL_CMP = re.compile(r"^([^\s!=()]+)\s*(==|!=|=)\s*([^\s=!(),]*)$")
_LABEL_KEY = re.compile(r"^(!?)\s*([^\s!=()]+)$")


def parse_label_selector(text):
    """Return a predicate over an object for a labelSelector string."""
    reqs = []
    for part in split_top_level(text or ""):
        m = _LABEL_SET.match(part)
        if m:
            key, op, vals = m.group(1), m.group(2), m.group(3)
            values = {v.strip() for v in vals.split(",") if v.strip()}
            if op == "in":
                reqs.append(lambda l, k=key, s=values: l.get(k) in s)
            else:
                reqs.append(lambda l, k=key, s=values: l.get(k) not in s)
            continue
        m = _LABEL_CMP.match(part)
        if m:
            key, op, val = m.groups()
            if op == "!=":
                reqs.append(lambda l, k=key, v=val: l.get(k) != v)
            else:
                reqs.append(lambda l, k=key, v=val: l.get(k) == v)
            continue
        m = _LABEL_KEY.match(part)
        if m:
            neg, key = m.groups()
            if neg:
                reqs.append(lambda l, k=key: k not in l)
            else:
                reqs.append(lambda l, k=key: k in l)
            continue
        raise err_bad_request("unable to parse requirement: %r" % part)

    def pred(obj):
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(r(labels) for r in reqs)
    return pred


def field_value(obj, path):
    """Value of a dotted field as the apiserver's field-set renders it (string)."""
    cur = obj
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    if isinstance(cur, bool):
        return "true" if cur else "false"
    if cur is None:
        return "false" if path in ("spec.hostNetwork", "spec.unschedulable") else ""
    return str(cur)


def _unescape_field(value):
    return re.sub(r"\\(.)", r"\1", value)


def parse_field_selector(text, kind):
    """Return a predicate for a fieldSelector; unknown fields are a 400 like
    the real apiserver's "field label not supported"."""
    reqs = []
    for part in split_top_level(text or ""):
        m = re.match(r"^([^=!]+?)\s*(==|!=|=)\s*(.*)$", part)
        if not m:
            raise err_bad_request("invalid selector: '%s'; can't understand '%s'"
                                  % (text, part))
        field, op, val = m.group(1).strip(), m.group(2), _unescape_field(m.group(3))
        if field not in SUPPORTED_FIELDS.get(kind, SUPPORTED_FIELDS[None]):
            raise err_bad_request("field label not supported: %s" % field)
        if op == "!=":
            reqs.append(lambda o, f=field, v=val: field_value(o, f) != v)
        else:
            reqs.append(lambda o, f=field, v=val: field_value(o, f) == v)
    return lambda obj: all(r(obj) for r in reqs)


# --------------------------------------------------------------------------
# Continue tokens (same shape as k8s.io/apiserver storage.EncodeContinue)
# --------------------------------------------------------------------------

def encode_continue(rv, start_key):
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start_key},
                     separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token):
    try:
        pad = "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(token + pad))
        if data.get("v") != "meta.k8s.io/v1":
            raise ValueError("unknown version")
        return int(data["rv"]), str(data["start"])
    except Exception as exc:  # any malformed token is a 400, like the real one
        raise err_bad_request("invalid continue token: %s" % exc)


# --------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------

class Faults:
    """Injected misbehaviour.  Each fault has a remaining count (None means
    persistent until cleared), an optional resource filter and parameters.

    Why counts: most tests want "the next request fails once" and then
    recovery; `"count": "always"` keeps a fault on for outage scenarios."""

    # name -> name of the parameter an integer shorthand sets (None: count)
    INT_SHORTHAND = {
        "watch_gone_status": None, "watch_gone_event": None,
        "cut_watch_mid_event": None, "page_expire": None,
        "list_status": "status", "binding_fail": "status",
        "event_fail": "status", "eviction_fail": "status",
        "drop_watch_after_events": "events", "delay_ms": "ms",
        "touch_before_write": None,
    }
    PERSISTENT_BY_DEFAULT = {"delay_ms", "down"}
    NAMES = set(INT_SHORTHAND) | {"down"}

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = {}

    def set_many(self, spec):
        """Apply a /_control/faults body; returns the resulting fault table."""
        if not isinstance(spec, dict):
            raise ValueError("faults body must be a JSON object")
        with self._lock:
            if spec.get("clear"):
                self._faults.clear()
            for name, value in spec.items():
                if name == "clear":
                    continue
                if name not in self.NAMES:
                    raise ValueError("unknown fault %r" % name)
                entry = self._parse(name, value)
                if entry is None:
                    self._faults.pop(name, None)
                else:
                    self._faults[name] = entry
            return self._snapshot_locked()

    def _parse(self, name, value):
        if value is None or value is False or value == 0:
            return None
        persistent = name in self.PERSISTENT_BY_DEFAULT
        params, count, resource = {}, (None if persistent else 1), None
        if name == "down":
            if isinstance(value, dict):
                params["mode"] = str(value.get("mode", "close"))
            else:
                params["mode"] = "503" if str(value) == "503" else "close"
            return {"remaining": None, "resource": None, "params": params}
        if isinstance(value, dict):
            params = {k: v for k, v in value.items()
                      if k not in ("count", "resource")}
            raw_count = value.get("count", None if persistent else 1)
            count = None if raw_count in ("always", -1, None) else int(raw_count)
            resource = value.get("resource")
        elif value is True:
            pass
        elif isinstance(value, (int, float)):
            key = self.INT_SHORTHAND[name]
            if key is None:
                count = int(value)
            else:
                params[key] = value
        elif value == "always":
            count = None
        else:
            raise ValueError("bad value for fault %r: %r" % (name, value))
        if count is not None and count <= 0:
            return None
        return {"remaining": count, "resource": resource, "params": params}

    def take(self, name, resource=None):
        """Consume one use of a fault if it applies; returns its params or None."""
        with self._lock:
            entry = self._faults.get(name)
            if entry is None:
                return None
            if entry["resource"] and resource and entry["resource"] != resource:
                return None
            if entry["remaining"] is not None:
                entry["remaining"] -= 1
                if entry["remaining"] <= 0:
                    del self._faults[name]
            return dict(entry["params"])

    def peek(self, name):
        with self._lock:
            entry = self._faults.get(name)
            return dict(entry["params"]) if entry else None

    def clear(self):
        with self._lock:
            self._faults.clear()

    def snapshot(self):
        with self._lock:
            return self._snapshot_locked()

    def _snapshot_locked(self):
        return {k: {"remaining": ("always" if v["remaining"] is None
                                  else v["remaining"]),
                    "resource": v["resource"], "params": v["params"]}
                for k, v in self._faults.items()}


# --------------------------------------------------------------------------
# Object store with history (the "etcd + watch cache" of the fake)
# --------------------------------------------------------------------------

Event = collections.namedtuple("Event", "rv type kind key obj prev")


def object_key(kind, namespace, name):
    """Storage key; sorting by it gives the same order as etcd's key order."""
    return "%s/%s" % (namespace, name) if KINDS[kind][2] else name


class Watcher:
    """One open watch: the store pushes converted events into `queue`."""

    def __init__(self, kind, namespace, pred, lagged=False):
        self.kind = kind
        self.namespace = namespace
        self.pred = pred
        self.lagged = lagged        # live events reach it store.watch_lag seconds late
        self.queue = collections.deque()  # (monotonic time it may be sent, event)
        self.close_mode = None      # None, "clean" or "abrupt"

    def matches_scope(self, ev):
        if ev.kind != self.kind:
            return False
        if self.namespace is None:
            return True
        ns = (ev.obj.get("metadata") or {}).get("namespace")
        return ns == self.namespace

    def convert(self, ev):
        """Turn a store event into what this watcher sees, applying selectors
        the way the cacher does: an object entering the selection is ADDED,
        one leaving it is DELETED (previous state, event's RV)."""
        if not self.matches_scope(ev):
            return None
        if ev.type == "DELETED":
            return {"type": "DELETED", "object": ev.obj} if self.pred(ev.prev) else None
        cur_ok = self.pred(ev.obj)
        prev_ok = ev.prev is not None and self.pred(ev.prev)
        if cur_ok and prev_ok:
            return {"type": "MODIFIED", "object": ev.obj}
        if cur_ok:
            return {"type": "ADDED", "object": ev.obj}
        if prev_ok:
            return {"type": "DELETED", "object": with_rv(ev.prev, ev.rv)}
        return None


def with_rv(obj, rv):
    """Shallow copy of obj with metadata.resourceVersion = rv (stored objects
    are never mutated, so copies share unchanged sub-dicts safely)."""
    out = dict(obj)
    out["metadata"] = dict(obj.get("metadata") or {})
    out["metadata"]["resourceVersion"] = str(rv)
    return out


class Store:
    """All API state behind one lock and one condition variable.

    Stored objects are treated as immutable: every change stores a new dict.
    That lets readers serialize objects after releasing the lock and lets the
    history keep references instead of deep copies."""

    def __init__(self, initial_rv=100, history_limit=100000):
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.rv = initial_rv
        self.compacted_rv = initial_rv   # watches/lists need rv >= this
        self.watch_lag = 0.0             # seconds; see App.config["watch_lag_ms"]
        self.history_limit = history_limit
        self.objects = {}                # (kind, key) -> obj
        self.history = []                # [Event], ascending rv
        self.watchers = set()

    # ---- mutations (caller must NOT hold the lock) ----

    def put(self, obj):
        """Create or replace an object; returns (event type, stored object)."""
        kind = obj.get("kind")
        if kind not in KINDS:
            raise ValueError("kind must be one of %s" % sorted(KINDS))
        # kind and apiVersion first, as the real serializer orders them
        group_version = KINDS[kind][3]
        obj = dict({"kind": kind, "apiVersion": group_version}, **copy.deepcopy(obj))
        obj["apiVersion"] = group_version
        meta = obj.setdefault("metadata", {})
        if not meta.get("name"):
            raise ValueError("metadata.name is required")
        if KINDS[kind][2]:
            meta.setdefault("namespace", "default")
        else:
            meta.pop("namespace", None)
        key = (kind, object_key(kind, meta.get("namespace"), meta["name"]))
        with self.lock:
            prev = self.objects.get(key)
            if prev is not None:
                meta.setdefault("uid", prev["metadata"].get("uid"))
                meta.setdefault("creationTimestamp",
                                prev["metadata"].get("creationTimestamp"))
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now_rfc3339())
            etype = "MODIFIED" if prev is not None else "ADDED"
            return etype, self._commit_locked(etype, kind, key, obj, prev)

    def delete(self, kind, namespace, name):
        if kind not in KINDS:
            raise ValueError("kind must be one of %s" % sorted(KINDS))
        if KINDS[kind][2] and not namespace:
            namespace = "default"
        key = (kind, object_key(kind, namespace, name))
        with self.lock:
            prev = self.objects.get(key)
            if prev is None:
                return None
            return self._commit_locked("DELETED", kind, key, None, prev)

    def bind(self, namespace, name, node, annotations):
        """pods/binding: set spec.nodeName iff unassigned (registry/core/pod/
        storage BindingREST.assignPod semantics and error texts)."""
        key = ("Pod", object_key("Pod", namespace, name))
        with self.lock:
            pod = self.objects.get(key)
            if pod is None:
                raise err_not_found("pods", name)
            if pod["metadata"].get("deletionTimestamp"):
                raise err_conflict("pods/binding", name,
                                   "pod %s is being deleted, cannot be assigned "
                                   "to a host" % name)
            current = (pod.get("spec") or {}).get("nodeName") or ""
            if current:
                raise err_conflict("pods/binding", name,
                                   'pod %s is already assigned to node "%s"'
                                   % (name, current))
            new = copy.deepcopy(pod)
            new.setdefault("spec", {})["nodeName"] = node
            if annotations:
                new["metadata"].setdefault("annotations", {}).update(annotations)
            conds = new.setdefault("status", {}).setdefault("conditions", [])
            cond = next((c for c in conds if c.get("type") == "PodScheduled"), None)
            if cond is None:
                cond = {"type": "PodScheduled", "lastProbeTime": None}
                conds.append(cond)
            if cond.get("status") != "True":
                cond["lastTransitionTime"] = now_rfc3339()
            cond["status"] = "True"
            cond.pop("reason", None)
            cond.pop("message", None)
            return self._commit_locked("MODIFIED", "Pod", key, new, pod)

    def patch_status(self, namespace, name, patch):
        """PATCH pods/{name}/status: kube-scheduler's PodScheduled=False
        condition and nominatedNodeName.  Only `status` is taken from the patch,
        as the status subresource does."""
        if not isinstance(patch, dict):
            raise err_bad_request("unable to decode patch: not an object")
        key = ("Pod", object_key("Pod", namespace, name))
        with self.lock:
            pod = self.objects.get(key)
            if pod is None:
                raise err_not_found("pods", name)
            new = copy.deepcopy(pod)
            new["status"] = merge_patch(new.get("status") or {}, patch.get("status") or {})
            return self._commit_locked("MODIFIED", "Pod", key, new, pod)

    def _touch_locked(self, kind, key, obj, faults):
        """The touch_before_write fault: another writer commits the object
        unchanged (a new resourceVersion) just before this write, as a
        concurrent client between our client's read and its write would."""
        if faults is None or obj is None:
            return obj
        if faults.take("touch_before_write", KINDS[kind][0]) is None:
            return obj
        return self._commit_locked("MODIFIED", kind, key, copy.deepcopy(obj), obj)

    def create(self, kind, ns, body):
        """POST to a collection: 409 AlreadyExists when the name is taken."""
        if not isinstance(body, dict):
            raise err_bad_request("unable to decode request body: not an object")
        if body.get("kind") not in (None, "", kind):
            raise err_bad_request("not a %s object: kind %r" % (kind, body.get("kind")))
        obj = dict({"kind": kind, "apiVersion": KINDS[kind][3]}, **copy.deepcopy(body))
        obj["kind"], obj["apiVersion"] = kind, KINDS[kind][3]
        meta = obj.setdefault("metadata", {})
        if meta.get("namespace") not in (None, "", ns):
            raise err_bad_request("the namespace of the provided object does not "
                                  "match the namespace sent on the request")
        name = meta.get("name") or ""
        if not name:
            raise ApiError(422, "Invalid", '%s.%s "" is invalid: metadata.name: '
                           "Required value: name or generateName is required"
                           % (kind, KINDS[kind][3].split("/")[0] if "/" in KINDS[kind][3] else ""),
                           {"kind": kind, "causes": [
                               {"reason": "FieldValueRequired",
                                "message": "Required value: name or generateName is required",
                                "field": "metadata.name"}]})
        if ns is not None:
            meta["namespace"] = ns
        meta.pop("resourceVersion", None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        key = (kind, object_key(kind, ns, name))
        with self.lock:
            if key in self.objects:
                raise err_already_exists(kind, name)
            return self._commit_locked("ADDED", kind, key, obj, None)

    def update(self, kind, ns, name, body, faults=None):
        """PUT of a whole object: 404 when absent (no create on update, as
        for leases), 409 Conflict when a given metadata.resourceVersion is not
        the current one (the registry store's optimistic lock)."""
        if not isinstance(body, dict):
            raise err_bad_request("unable to decode request body: not an object")
        obj = dict({"kind": kind, "apiVersion": KINDS[kind][3]}, **copy.deepcopy(body))
        obj["kind"], obj["apiVersion"] = kind, KINDS[kind][3]
        meta = obj.setdefault("metadata", {})
        if meta.get("name") != name:
            raise err_bad_request("the name of the object (%s) does not match the name "
                                  "on the URL (%s)" % (meta.get("name"), name))
        if meta.get("namespace") not in (None, "", ns):
            raise err_bad_request("the namespace of the provided object does not "
                                  "match the namespace sent on the request")
        if ns is not None:
            meta["namespace"] = ns
        key = (kind, object_key(kind, ns, name))
        with self.lock:
            prev = self._touch_locked(kind, key, self.objects.get(key), faults)
            if prev is None:
                raise err_not_found(qualified_resource(kind), name)
            wanted = meta.get("resourceVersion")
            if wanted and wanted != prev["metadata"].get("resourceVersion"):
                raise err_conflict(qualified_resource(kind), name, MSG_OPTIMISTIC_LOCK)
            meta["uid"] = prev["metadata"].get("uid")
            meta["creationTimestamp"] = prev["metadata"].get("creationTimestamp")
            return self._commit_locked("MODIFIED", kind, key, obj, prev)

    def patch(self, kind, ns, name, content_type, patch, faults=None):
        """PATCH of an object: RFC 6902 JSON Patch or a merge patch."""
        key = (kind, object_key(kind, ns, name))
        with self.lock:
            prev = self._touch_locked(kind, key, self.objects.get(key), faults)
            if prev is None:
                raise err_not_found(qualified_resource(kind), name)
            # Go serialises struct fields such as spec without omitempty, so
            # the document a real patch applies to always has them.
            current = copy.deepcopy(prev)
            current.setdefault("spec", {})
            if content_type == "application/json-patch+json":
                new = apply_json_patch(current, patch)
            else:
                if not isinstance(patch, dict):
                    raise err_bad_request("unable to decode patch: not an object")
                new = merge_patch(current, patch)
            if new == current:
                return prev  # etcd3's GuaranteedUpdate skips a write that changes nothing
            new_meta = new.setdefault("metadata", {})
            for field in ("name", "namespace", "uid", "creationTimestamp"):
                if field in prev["metadata"]:
                    new_meta[field] = prev["metadata"][field]
            return self._commit_locked("MODIFIED", kind, key, new, prev)

    def evict(self, ns, name, uid):
        """pods/{name}/eviction as EvictionREST.Create
        (pkg/registry/core/pod/storage/eviction.go) decides: a terminal,
        pending or terminating pod goes without a budget check; otherwise the
        one PodDisruptionBudget whose selector matches must allow a
        disruption, which it loses (checkAndDecrement); then the pod is
        deleted with the UID precondition.  The deletion is immediate here
        (no kubelet to finish a graceful one): a DELETED event."""
        key = ("Pod", object_key("Pod", ns, name))
        with self.lock:
            pod = self.objects.get(key)
            if pod is None:
                raise err_not_found("pods", name)
            phase = (pod.get("status") or {}).get("phase") or ""
            ignore_pdb = (phase in ("Succeeded", "Failed", "Pending")
                          or pod["metadata"].get("deletionTimestamp"))
            if not ignore_pdb:
                labels = pod["metadata"].get("labels") or {}
                pdbs = [o for (k, _), o in sorted(self.objects.items())
                        if k == "PodDisruptionBudget"
                        and o["metadata"].get("namespace") == ns
                        and pdb_selects(o, labels)]
                if len(pdbs) > 1:
                    raise ApiError(500, "", MSG_EVICTION_MANY_PDBS)
                if pdbs:
                    self._check_and_decrement_locked(pdbs[0], name)
            if uid and uid != pod["metadata"].get("uid"):
                raise err_conflict("pods", name,
                                   "Precondition failed: UID in precondition: %s, "
                                   "UID in object meta: %s" % (uid, pod["metadata"].get("uid")))
            return self._commit_locked("DELETED", "Pod", key, None, pod)

    def _check_and_decrement_locked(self, pdb, pod_name):
        """EvictionREST.checkAndDecrement, without the generation and the
        DisruptedPods size checks."""
        pdb_name = pdb["metadata"]["name"]
        status = pdb.get("status") or {}
        allowed = int(status.get("disruptionsAllowed") or 0)
        if allowed < 0:
            raise ApiError(403, "Forbidden",
                           'poddisruptionbudgets.policy "%s" is forbidden: pdb '
                           "disruptions allowed is negative" % pdb_name,
                           {"name": pdb_name, "group": "policy",
                            "kind": "poddisruptionbudgets"})
        if allowed == 0:
            desired = int(status.get("desiredHealthy") or 0)
            current = int(status.get("currentHealthy") or 0)
            if current <= desired:
                cause = ("The disruption budget %s needs %d healthy pods and has %d "
                         "currently" % (pdb_name, desired, current))
            else:
                cause = ("The disruption budget %s does not allow evicting pods "
                         "currently" % pdb_name)
            raise ApiError(429, "TooManyRequests", MSG_EVICTION_REFUSED,
                           {"causes": [{"reason": "DisruptionBudget", "message": cause}]})
        new = copy.deepcopy(pdb)
        new_status = new.setdefault("status", {})
        new_status["disruptionsAllowed"] = allowed - 1
        new_status.setdefault("disruptedPods", {})[pod_name] = now_rfc3339()
        key = ("PodDisruptionBudget", object_key("PodDisruptionBudget",
                                                 pdb["metadata"]["namespace"], pdb_name))
        self._commit_locked("MODIFIED", "PodDisruptionBudget", key, new, pdb)

    def compact(self, keep):
        """Drop all but the last `keep` history events.  Like etcd compaction,
        resource versions at or before the newest dropped event become
        unavailable to new watches and to continue tokens."""
        with self.lock:
            keep = max(0, int(keep))
            drop = len(self.history) - keep
            if drop > 0:
                self.compacted_rv = self.history[drop - 1].rv
                del self.history[:drop]
            if keep == 0:
                self.compacted_rv = self.rv
            return self.compacted_rv

    def reset(self):
        """Forget all objects and history; RVs stay monotonic so stale
        client RVs / tokens from before the reset get 410."""
        with self.lock:
            self.objects.clear()
            self.history.clear()
            self.compacted_rv = self.rv
            for w in self.watchers:
                w.close_mode = "abrupt"
            self.cond.notify_all()

    def close_watches(self, mode):
        with self.lock:
            for w in self.watchers:
                w.close_mode = mode
            n = len(self.watchers)
            self.cond.notify_all()
            return n

    def wake(self):
        with self.lock:
            self.cond.notify_all()

    def _commit_locked(self, etype, kind, key, obj, prev):
        """Bump the global RV, store, record history, fan out to watchers."""
        self.rv += 1
        if etype == "DELETED":
            del self.objects[key]
            obj = with_rv(prev, self.rv)
        else:
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self.objects[key] = obj
        ev = Event(self.rv, etype, kind, key[1], obj, prev)
        self.history.append(ev)
        if len(self.history) > self.history_limit:
            dropped = self.history.pop(0)
            self.compacted_rv = dropped.rv
        now = time.monotonic()
        for w in self.watchers:
            wev = w.convert(ev)
            if wev is not None:
                w.queue.append((now + (self.watch_lag if w.lagged else 0.0), wev))
        self.cond.notify_all()
        return obj

    # ---- reads (caller must hold the lock) ----

    def current_items_locked(self, kind):
        return {k: o for (kd, k), o in self.objects.items() if kd == kind}

    def state_at_locked(self, kind, rv):
        """Objects of `kind` as of resource version `rv`, rebuilt by undoing
        newer history events (etcd MVCC read); needs rv >= compacted_rv."""
        items = self.current_items_locked(kind)
        for ev in reversed(self.history):
            if ev.rv <= rv:
                break
            if ev.kind != kind:
                continue
            if ev.type == "ADDED":
                items.pop(ev.key, None)
            else:
                items[ev.key] = ev.prev
        return items


# --------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------

def err_invalid(kind, name, field, value, detail):
    """422 Invalid with one cause, as apierrors.NewInvalid words it."""
    message = '%s: Invalid value: %s: %s' % (field, json.dumps(value), detail)
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (kind, name, message),
                    {"name": name, "kind": kind.lower() + "s", "causes": [
                        {"reason": "FieldValueInvalid", "message":
                         "Invalid value: %s: %s" % (json.dumps(value), detail),
                         "field": field}]})


def merge_patch(target, patch):
    """Apply a JSON merge patch, with the one strategic-merge rule clients
    send here: a list of dicts with "type" keys (pod conditions) is merged
    by type instead of replaced.  "$" directives are ignored."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            out[key] = merge_patch(out.get(key), value)
        elif (isinstance(value, list) and isinstance(out.get(key), list)
              and all(isinstance(v, dict) and "type" in v for v in value + out[key])):
            merged = [dict(v) for v in out[key]]
            for item in value:
                old = next((m for m in merged if m["type"] == item["type"]), None)
                if old is None:
                    merged.append(merge_patch({}, item))
                else:
                    merged[merged.index(old)] = merge_patch(old, item)
            out[key] = merged
        else:
            out[key] = copy.deepcopy(value)
    return out


def pdb_selects(pdb, labels):
    """Whether a PodDisruptionBudget's spec.selector selects these labels, as
    policy/v1's EvictionREST.getPodDisruptionBudgets decides: only
    metav1.LabelSelectorAsSelector(...).Matches, so a null selector selects
    nothing (labels.Nothing()) and an empty one ({}) every pod of the namespace
    (labels.Everything()); an invalid one does not match.  (policy/v1beta1's
    handler skipped empty selectors too: "it should match nothing, not
    everything"; policy/v1 dropped that.)"""
    selector = (pdb.get("spec") or {}).get("selector")
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    for expr in expressions:
        key, op = expr.get("key"), expr.get("operator")
        values = expr.get("values") or []
        if op == "In":
            ok = key in labels and labels[key] in values
        elif op == "NotIn":
            ok = key not in labels or labels[key] not in values
        elif op == "Exists":
            ok = key in labels
        elif op == "DoesNotExist":
            ok = key not in labels
        else:
            return False
        if not ok:
            return False
    return True


class PatchNotApplied(Exception):
    """A JSON Patch operation that does not apply (a failed test among them)."""


def _pointer_tokens(path):
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise PatchNotApplied("bad JSON pointer %r" % (path,))
    if path == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _resolve_parent(doc, tokens):
    cur = doc
    for token in tokens[:-1]:
        if isinstance(cur, dict) and token in cur:
            cur = cur[token]
        elif isinstance(cur, list) and token.isdigit() and int(token) < len(cur):
            cur = cur[int(token)]
        else:
            raise PatchNotApplied("missing path")
    return cur


def _list_index(container, token, allow_end):
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PatchNotApplied("bad index %r" % token)
    index = int(token)
    if index > len(container) or (index == len(container) and not allow_end):
        raise PatchNotApplied("index out of range")
    return index


def apply_json_patch(doc, ops):
    """RFC 6902 add, remove, replace and test (what the extender sends); a
    failure anywhere is the apiserver's 422 and nothing is written."""
    if not isinstance(ops, list):
        raise err_bad_request("json: cannot unmarshal object into Go value of type "
                              "jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    try:
        for op in ops:
            if not isinstance(op, dict):
                raise PatchNotApplied("operation is not an object")
            kind, tokens = op.get("op"), _pointer_tokens(op.get("path"))
            if not tokens:
                raise PatchNotApplied("whole-document operations are not supported")
            parent, last = _resolve_parent(doc, tokens), tokens[-1]
            if kind == "test":
                if isinstance(parent, dict) and last in parent:
                    actual = parent[last]
                elif isinstance(parent, list):
                    actual = parent[_list_index(parent, last, False)]
                else:
                    raise PatchNotApplied("test: missing value")
                if actual != op.get("value"):
                    raise PatchNotApplied("testing value %s failed" % op.get("path"))
            elif kind == "add":
                if isinstance(parent, dict):
                    parent[last] = copy.deepcopy(op.get("value"))
                elif isinstance(parent, list):
                    parent.insert(_list_index(parent, last, True), copy.deepcopy(op.get("value")))
                else:
                    raise PatchNotApplied("add: parent is not a container")
            elif kind in ("remove", "replace"):
                if isinstance(parent, dict):
                    if last not in parent:
                        raise PatchNotApplied("%s: missing key %r" % (kind, last))
                    if kind == "remove":
                        del parent[last]
                    else:
                        parent[last] = copy.deepcopy(op.get("value"))
                elif isinstance(parent, list):
                    index = _list_index(parent, last, False)
                    if kind == "remove":
                        parent.pop(index)
                    else:
                        parent[index] = copy.deepcopy(op.get("value"))
                else:
                    raise PatchNotApplied("%s: parent is not a container" % kind)
            else:
                raise PatchNotApplied("Unexpected kind: %s" % kind)
    except PatchNotApplied:
        raise ApiError(422, "Invalid", MSG_PATCH_NOT_APPLIED, {})
    return doc


class EventStore:
    """core/v1 Events.  Clients only create them here and tests read them
    back; nothing watches them, so they live outside the resource-version
    history: creating one neither bumps the RV nor wakes a watch."""

    def __init__(self, api_version="v1"):
        self.api_version = api_version  # "v1", or EVENTS_V1 for the new Events API
        self.lock = threading.Lock()
        self.events = {}  # (namespace, name) -> event, in creation order

    def create(self, ns, body):
        """Validate as the apiserver does for a core/v1 Event without
        eventTime (legacy validation), then store; returns the stored event."""
        if not isinstance(body, dict):
            raise err_bad_request("unable to decode request body: not an object")
        if body.get("kind") not in (None, "", "Event"):
            raise err_bad_request("not an Event object: kind %r" % body.get("kind"))
        event = copy.deepcopy(body)
        meta = event.setdefault("metadata", {})
        if meta.get("namespace") not in (None, "", ns):
            raise err_bad_request("the namespace of the provided object does not "
                                  "match the namespace sent on the request")
        meta["namespace"] = ns
        name = meta.get("name") or ""
        if not name and meta.get("generateName"):
            name = meta["generateName"] + uuid.uuid4().hex[:5]
        if not name:
            raise ApiError(422, "Invalid", 'Event "" is invalid: metadata.name: '
                           "Required value: name or generateName is required",
                           {"kind": "events", "causes": [
                               {"reason": "FieldValueRequired",
                                "message": "Required value: name or generateName is required",
                                "field": "metadata.name"}]})
        if len(name) > 253:
            raise err_invalid("Event", name, "metadata.name", name,
                              "must be no more than 253 characters")
        if not DNS1123_SUBDOMAIN.match(name):
            raise err_invalid("Event", name, "metadata.name", name,
                              DNS1123_SUBDOMAIN_MESSAGE)
        involved_ns = (event.get("involvedObject") or {}).get("namespace") or ""
        if involved_ns and involved_ns != ns and self.api_version == "v1":
            raise err_invalid("Event", name, "involvedObject.namespace", involved_ns,
                              "does not match event.namespace")
        meta["name"] = name
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        event["kind"], event["apiVersion"] = "Event", self.api_version
        with self.lock:
            if (ns, name) in self.events:
                raise ApiError(409, "AlreadyExists", 'events "%s" already exists' % name,
                               {"name": name, "kind": "events"})
            self.events[(ns, name)] = event
        return event

    def list(self, ns, pred):
        with self.lock:
            return [e for (e_ns, _), e in self.events.items()
                    if (ns is None or e_ns == ns) and pred(e)]

    def get(self, ns, name):
        with self.lock:
            event = self.events.get((ns, name))
        if event is None:
            raise err_not_found("events", name)
        return event

    def patch(self, ns, name, patch):
        """A merge patch (what event recorders send to count a repeated event,
        as a strategic merge patch of a few scalar fields)."""
        if not isinstance(patch, dict):
            raise err_bad_request("unable to decode patch: not an object")
        with self.lock:
            event = self.events.get((ns, name))
            if event is None:
                raise err_not_found("events", name)
            event = merge_patch(event, patch)
            self.events[(ns, name)] = event
            return event

    def clear(self):
        with self.lock:
            self.events.clear()


# --------------------------------------------------------------------------
# Bearer-token authentication
# --------------------------------------------------------------------------

class TokenAuth:
    """Checks `Authorization: Bearer <token>` against a file re-read on every
    request, so a test can rotate the token by rewriting the file.  The
    previous token stays valid for `grace` seconds after the change is first
    noticed (what a projected service-account token rotation looks like)."""

    def __init__(self, path, grace):
        self.path = path
        self.grace = grace
        self._lock = threading.Lock()
        self._current = None
        self._previous = None
        self._changed_at = 0.0

    def check(self, header):
        try:
            with open(self.path, "r", encoding="utf-8") as f:
                token = f.read().strip()
        except OSError:
            token = None  # unreadable file: keep the last known token
        with self._lock:
            now = time.monotonic()
            if token is not None and token != self._current:
                if self._current:
                    self._previous, self._changed_at = self._current, now
                self._current = token
            if not header:
                return False
            parts = header.split(None, 1)
            if len(parts) != 2 or parts[0].lower() != "bearer":
                return False
            presented = parts[1].strip()
            if not presented:
                return False
            if presented == self._current:
                return True
            return (presented == self._previous
                    and now - self._changed_at < self.grace)


# --------------------------------------------------------------------------
# Application state shared by handler threads
# --------------------------------------------------------------------------

class App:
    def __init__(self, args):
        self.store = Store(initial_rv=args.initial_rv,
                           history_limit=args.history_limit)
        self.faults = Faults()
        self.events = EventStore()
        self.events_v1 = EventStore(EVENTS_V1)
        self.auth = TokenAuth(args.token_file, args.token_grace) if args.token_file else None
        self.config = {
            "bookmark_interval": args.bookmark_interval,
            "watch_timeout": args.watch_timeout,
            "expired_watch_mode": args.expired_watch_mode,
            "anonymous_health": args.anonymous_health,
            # Live watch events reach watches whose User-Agent starts with
            # watch_lag_user_agent this many ms late ("" matches every watch).
            "watch_lag_ms": 0,
            "watch_lag_user_agent": "",
        }
        self.verbose = args.verbose
        self._log_lock = threading.Lock()
        self._requests = []
        self._seq = 0

    def log_request(self, entry):
        with self._log_lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._requests.append(entry)
            if len(self._requests) > 10000:
                del self._requests[:1000]

    def requests(self, since=0):
        with self._log_lock:
            return [dict(e) for e in self._requests if e["seq"] > since]

    def clear_requests(self):
        with self._log_lock:
            self._requests.clear()

    def set_config(self, body):
        for key, value in body.items():
            if key not in self.config and key != "token_grace":
                raise ValueError("unknown config key %r" % key)
            if key == "expired_watch_mode" and value not in ("event", "status"):
                raise ValueError("expired_watch_mode must be 'event' or 'status'")
            if key == "token_grace":
                continue
            self.config[key] = value
        self.store.watch_lag = float(self.config["watch_lag_ms"]) / 1000.0
        if "token_grace" in body and self.auth:
            self.auth.grace = float(body["token_grace"])
        self.store.wake()
        out = dict(self.config)
        if self.auth:
            out["token_grace"] = self.auth.grace
        return out


def load_objects_file(path):
    """Read a kubectl List (or *List, array, or single object) JSON file."""
    with open(path, "r", encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        kind = data.get("kind", "")
        items = data["items"]
        if kind.endswith("List") and kind[:-4] in KINDS:
            for it in items:
                it.setdefault("kind", kind[:-4])
        return items
    return [data]


# --------------------------------------------------------------------------
# HTTP handling
# --------------------------------------------------------------------------

API_PATH = re.compile(
    r"^/(?:api/v1|apis/(?P<group>[^/]+/[^/]+))(?P<watch>/watch)?"
    r"(?:/namespaces/(?P<ns>[^/]+))?"
    r"/(?P<resource>[a-z0-9]+)"
    r"(?:/(?P<name>[^/]+))?"
    r"(?:/(?P<sub>binding|status|eviction))?/?$")
EVENTS_PATH = re.compile(
    r"^/(?P<group>api/v1|apis/events\.k8s\.io/v1)(?:/namespaces/(?P<ns>[^/]+))?"
    r"/events(?:/(?P<name>[^/]+))?/?$")


def parse_bool(value):
    """Go strconv.ParseBool, which the apiserver uses for ?watch= etc."""
    return value in ("1", "t", "T", "TRUE", "true", "True")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube-apiserver/1.0"

    def version_string(self):
        return self.server_version

    # ---- plumbing ----

    @property
    def app(self):
        return self.server.app

    def log_message(self, fmt, *args):
        if self.app.verbose:
            sys.stderr.write("fake-apiserver: %s - %s\n"
                             % (self.address_string(), fmt % args))

    def send_response(self, code, message=None):
        self._status = code
        if getattr(self, "_log_entry", None) is not None:
            self._log_entry["status"] = code
        super().send_response(code, message)

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def read_body(self):
        """Request body, supporting Content-Length and chunked uploads."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def read_json(self):
        raw = self.body
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise err_bad_request("unable to decode request body: %s" % exc)

    def send_json(self, code, body, headers=None):
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_text(self, code, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_error_status(self, err):
        self.send_json(err.code, err.status, err.headers)

    def abort_connection(self):
        """Close the TCP connection without (finishing) a response, like a
        crashed or unreachable apiserver."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")

    # ---- routing ----

    def dispatch(self):
        self._log_entry = None
        # Always consume the body first: an error answered before reading it
        # would leave the bytes to be parsed as the next keep-alive request.
        try:
            self.body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        url = urlsplit(self.path)
        self.url_path = url.path
        self.query = {k: v[-1] for k, v in
                      parse_qs(url.query, keep_blank_values=True).items()}
        try:
            if url.path.startswith("/_control/"):
                self.handle_control(url.path[len("/_control/"):])
                return
            self.handle_api(url)
        except ApiError as err:
            self.send_error_status(err)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def handle_api(self, url):
        app = self.app
        auth_header = self.headers.get("Authorization")
        entry = {
            "time": time.time(), "method": self.command, "path": url.path,
            "query": url.query, "params": dict(self.query),
            "has_authorization": auth_header is not None,
            "authorized": None, "status": None, "fault": None,
            "user_agent": self.headers.get("User-Agent"),
            "content_type": self.headers.get("Content-Type"),
            "body": self.body[:65536].decode("utf-8", "replace") if self.body else None,
        }
        self._log_entry = entry
        app.log_request(entry)

        down = app.faults.peek("down")
        if down is not None:
            entry["fault"] = "down"
            if down.get("mode") == "503":
                raise err_for_code(503, "the server is currently unable to "
                                   "handle the request")
            self.abort_connection()
            return

        if app.auth is not None:
            public = (app.config["anonymous_health"] and auth_header is None
                      and url.path in ("/healthz", "/readyz", "/livez", "/version"))
            ok = public or app.auth.check(auth_header)
            entry["authorized"] = ok
            if not ok:
                raise ApiError(401, "Unauthorized", "Unauthorized")

        path = url.path
        if path in ("/healthz", "/readyz", "/livez"):
            return self.send_text(200, "ok")
        if path == "/version":
            return self.send_json(200, VERSION_INFO)
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                        "serverAddressByClientCIDRs": [
                                            {"clientCIDR": "0.0.0.0/0",
                                             "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            return self.send_json(200, api_group_list())
        if path == "/api/v1" or path.startswith("/apis/"):
            resources = api_resource_list(
                "v1" if path == "/api/v1" else path[len("/apis/"):].rstrip("/"))
            if resources is not None:
                return self.send_json(200, resources)

        m = EVENTS_PATH.match(path)
        if m is not None:
            events = app.events if m.group("group") == "api/v1" else app.events_v1
            return self.handle_events(events, m.group("ns"), m.group("name"))
        m = API_PATH.match(path)
        kind = None if m is None else RESOURCE_TO_KIND.get(
            (m.group("group") or "v1", m.group("resource")))
        if kind is None:
            if (self.command == "POST"
                    and re.match(r"^/api/v1/namespaces/[^/]+/bindings/?$", path)):
                return self.handle_binding(path.split("/")[4], None)
            raise ApiError(404, "NotFound", MSG_NOT_FOUND_PATH, {})
        ns, resource, name, sub = m.group("ns"), m.group("resource"), m.group("name"), m.group("sub")
        if ns is not None and not KINDS[kind][2]:
            raise ApiError(404, "NotFound", MSG_NOT_FOUND_PATH, {})
        if sub is not None and (kind != "Pod" or name is None or ns is None):
            raise ApiError(404, "NotFound", MSG_NOT_FOUND_PATH, {})
        if sub == "status":
            if self.command == "PATCH":
                return self.handle_status_patch(ns, name)
            if self.command not in ("GET", "HEAD"):
                raise ApiError(405, "MethodNotAllowed",
                               "%s is not supported on resources of kind "
                               "\"pods/status\"" % self.command, {"kind": "pods/status"})
            return self.handle_get(kind, ns, name)
        if sub == "binding":
            if self.command != "POST" or ns is None:
                raise ApiError(405, "MethodNotAllowed",
                               "%s is not supported on resources of kind "
                               "\"pods/binding\"" % self.command,
                               {"kind": "pods/binding"})
            return self.handle_binding(ns, name)
        if sub == "eviction":
            if self.command != "POST":
                raise ApiError(405, "MethodNotAllowed",
                               "%s is not supported on resources of kind "
                               "\"pods/eviction\"" % self.command,
                               {"kind": "pods/eviction"})
            return self.handle_eviction(ns, name)
        writes = () if m.group("watch") else WRITE_VERBS.get(kind, ())
        if self.command == "POST" and name is None and "create" in writes:
            if KINDS[kind][2] and ns is None:
                raise ApiError(405, "MethodNotAllowed", "POST is not supported on "
                               "resources of kind \"%s\"" % resource, {"kind": resource})
            return self.send_json(201, self.app.store.create(kind, ns, self.read_json()))
        if self.command == "PUT" and name is not None and "update" in writes:
            return self.send_json(200, self.app.store.update(
                kind, ns, name, self.read_json(), self.app.faults))
        if self.command == "PATCH" and name is not None and "patch" in writes:
            return self.handle_patch(kind, ns, name)
        if self.command not in ("GET", "HEAD"):
            raise ApiError(405, "MethodNotAllowed",
                           "%s is not supported on resources of kind \"%s\""
                           % (self.command, resource), {"kind": resource})
        is_watch = m.group("watch") is not None or parse_bool(self.query.get("watch", ""))
        if name is not None and not is_watch:
            return self.handle_get(kind, ns, name)
        if name is not None:
            # a watch on a single object is a field-selected watch
            extra = "metadata.name=%s" % name
            fs = self.query.get("fieldSelector")
            self.query["fieldSelector"] = "%s,%s" % (fs, extra) if fs else extra
        entry["watch"] = is_watch
        if is_watch:
            return self.handle_watch(kind, ns)
        return self.handle_list(kind, ns)

    # ---- get / list ----

    def handle_get(self, kind, ns, name):
        store = self.app.store
        with store.lock:
            obj = store.objects.get((kind, object_key(kind, ns, name)))
        if obj is None:
            raise err_not_found(qualified_resource(kind), name)
        self.send_json(200, obj)

    def apply_delay(self, resource):
        params = self.app.faults.take("delay_ms", resource)
        if params is not None:
            self._log_entry["fault"] = "delay_ms"
            time.sleep(float(params.get("ms", 0)) / 1000.0)

    def selector_predicate(self, kind):
        fpred = parse_field_selector(self.query.get("fieldSelector"), kind)
        lpred = parse_label_selector(self.query.get("labelSelector"))
        return lambda obj: obj is not None and fpred(obj) and lpred(obj)

    def handle_list(self, kind, ns):
        """List with limit/continue paging; pages after the first are served
        from the state at the first page's RV (consistent snapshot)."""
        app, store = self.app, self.app.store
        resource, list_kind, _, group_version = KINDS[kind]
        self.apply_delay(resource)
        fault = app.faults.take("list_status", resource)
        if fault is not None:
            self._log_entry["fault"] = "list_status"
            raise err_for_code(int(fault.get("status", 500)))
        pred = self.selector_predicate(kind)
        limit = self.query.get("limit", "")
        try:
            limit = int(limit) if limit else 0
        except ValueError:
            raise err_bad_request("invalid limit %r" % limit)
        token = self.query.get("continue", "")
        rv_param = self.query.get("resourceVersion", "")
        rv_match = self.query.get("resourceVersionMatch", "")

        with store.lock:
            start = ""
            if token:
                if rv_param not in ("", "0"):
                    raise err_bad_request("specifying resource version is not "
                                          "allowed when using continue")
                snap_rv, start = decode_continue(token)
                expired = (snap_rv >= 0 and snap_rv < store.compacted_rv)
                if app.faults.take("page_expire", resource) is not None:
                    self._log_entry["fault"] = "page_expire"
                    expired = True
                if expired:
                    raise err_expired(MSG_CONTINUE_INCONSISTENT,
                                      encode_continue(-1, start))
                if snap_rv < 0:
                    snap_rv = store.rv
                items = store.state_at_locked(kind, snap_rv)
            else:
                snap_rv = store.rv
                exact = rv_param not in ("", "0") and (limit > 0 or rv_match == "Exact")
                if rv_param not in ("", "0"):
                    try:
                        want = int(rv_param)
                    except ValueError:
                        raise err_bad_request("invalid resource version: %s" % rv_param)
                    if want > store.rv:
                        deadline = time.monotonic() + 1.0
                        while want > store.rv and time.monotonic() < deadline:
                            store.cond.wait(deadline - time.monotonic())
                        if want > store.rv:
                            raise ApiError(
                                504, "Timeout",
                                "Too large resource version: %d, current: %d"
                                % (want, store.rv),
                                {"causes": [{"reason": "ResourceVersionTooLarge",
                                             "message": "Too large resource version"}],
                                 "retryAfterSeconds": 1},
                                headers={"Retry-After": "1"})
                    if exact:
                        if want < store.compacted_rv:
                            raise err_expired(MSG_EXPIRED_LIST)
                        snap_rv = want
                    else:
                        snap_rv = store.rv
                items = (store.state_at_locked(kind, snap_rv) if exact
                         else store.current_items_locked(kind))

        keys = sorted(k for k, o in items.items()
                      if k >= start and (ns is None or o["metadata"].get("namespace") == ns)
                      and pred(o))
        meta = {"resourceVersion": str(snap_rv)}
        if limit > 0 and len(keys) > limit:
            page = keys[:limit]
            meta["continue"] = encode_continue(snap_rv, page[-1] + "\x00")
            meta["remainingItemCount"] = len(keys) - limit
        else:
            page = keys
        body = {"kind": list_kind, "apiVersion": group_version, "metadata": meta,
                "items": [items[k] for k in page]}
        self.send_json(200, body)

    # ---- watch ----

    def handle_watch(self, kind, ns):
        app, store = self.app, self.app.store
        resource = KINDS[kind][0]
        self.apply_delay(resource)
        pred = self.selector_predicate(kind)
        bookmarks = parse_bool(self.query.get("allowWatchBookmarks", ""))
        cap = float(app.config["watch_timeout"])
        try:
            timeout = float(self.query.get("timeoutSeconds") or cap)
        except ValueError:
            raise err_bad_request("invalid timeoutSeconds")
        timeout = min(timeout, cap) if timeout > 0 else cap
        rv_param = self.query.get("resourceVersion", "")

        if app.faults.take("watch_gone_status", resource) is not None:
            self._log_entry["fault"] = "watch_gone_status"
            with store.lock:
                raise err_too_old_watch(int(rv_param) if rv_param.isdigit() else 0,
                                        store.compacted_rv)
        gone_event = None
        if app.faults.take("watch_gone_event", resource) is not None:
            self._log_entry["fault"] = "watch_gone_event"
            with store.lock:
                gone_event = err_too_old_watch(
                    int(rv_param) if rv_param.isdigit() else 0, store.compacted_rv)
        drop = app.faults.take("drop_watch_after_events", resource)
        if drop is not None:
            self._log_entry["fault"] = "drop_watch_after_events"

        lag_agent = app.config["watch_lag_user_agent"]
        lagged = (self.headers.get("User-Agent") or "").startswith(lag_agent)
        watcher = Watcher(kind, ns, pred, lagged)
        initial = []
        with store.lock:
            if gone_event is None and rv_param not in ("", "0"):
                try:
                    rv = int(rv_param)
                except ValueError:
                    raise err_bad_request("invalid resource version: %s" % rv_param)
                if rv < store.compacted_rv:
                    expired = err_too_old_watch(rv, store.compacted_rv)
                    if app.config["expired_watch_mode"] == "status":
                        raise expired
                    gone_event = expired
                else:
                    for ev in store.history:
                        if ev.rv > rv:
                            wev = watcher.convert(ev)
                            if wev is not None:
                                initial.append(wev)
            elif gone_event is None:
                # rv unset / "0": synthetic ADDED for the current state
                items = store.current_items_locked(kind)
                for key in sorted(items):
                    obj = items[key]
                    if ns is not None and obj["metadata"].get("namespace") != ns:
                        continue
                    if pred(obj):
                        initial.append({"type": "ADDED", "object": obj})
            if gone_event is None:
                store.watchers.add(watcher)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-cache, private")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if gone_event is not None:
                self.send_event({"type": "ERROR", "object": gone_event.status})
                self.end_chunks()
                return
            self.stream_watch(watcher, initial, bookmarks, timeout,
                              drop.get("events", 1) if drop is not None else None)
        finally:
            with store.lock:
                store.watchers.discard(watcher)

    def send_event(self, event):
        self.write_chunk(json.dumps(event, separators=(",", ":")).encode() + b"\n")

    def stream_watch(self, watcher, initial, bookmarks, timeout, drop_after):
        """Write replayed then live events until timeout, a fault, or a
        control-requested close.  Events are written outside the lock."""
        app, store = self.app, self.app.store
        resource = KINDS[watcher.kind][0]
        deadline = time.monotonic() + timeout
        last_bookmark = time.monotonic()
        sent = 0
        pending = collections.deque(initial)
        while True:
            while pending:
                event = pending.popleft()
                cut = app.faults.take("cut_watch_mid_event", resource)
                if cut is not None:
                    self._log_entry["fault"] = "cut_watch_mid_event"
                    self.write_half_event(event, cut.get("mode", "truncate_chunk"))
                    self.abort_connection()
                    return
                self.send_event(event)
                sent += 1
                if drop_after is not None and sent >= int(drop_after):
                    self.abort_connection()
                    return
            if app.faults.peek("down") is not None:
                self.abort_connection()
                return
            with store.lock:
                while True:
                    now = time.monotonic()
                    if (watcher.queue and watcher.queue[0][0] <= now) or watcher.close_mode:
                        break
                    if now >= deadline:
                        break
                    interval = float(app.config["bookmark_interval"] or 0)
                    if bookmarks and interval > 0 and now - last_bookmark >= interval:
                        break
                    wait = deadline - now
                    if bookmarks and interval > 0:
                        wait = min(wait, last_bookmark + interval - now)
                    if watcher.queue:  # lagged: wait until the first event is due
                        wait = min(wait, watcher.queue[0][0] - now)
                    store.cond.wait(max(0.0, min(wait, 0.5)))
                    if app.faults.peek("down") is not None or self.client_gone():
                        watcher.close_mode = "abrupt"
                now = time.monotonic()
                while watcher.queue and watcher.queue[0][0] <= now:
                    pending.append(watcher.queue.popleft()[1])
                close_mode = watcher.close_mode
                bookmark = None
                interval = float(app.config["bookmark_interval"] or 0)
                if (not pending and bookmarks and interval > 0
                        and time.monotonic() - last_bookmark >= interval):
                    bookmark = {"type": "BOOKMARK", "object": {
                        "kind": watcher.kind, "apiVersion": KINDS[watcher.kind][3],
                        "metadata": {"resourceVersion": str(store.rv)}}}
            if close_mode == "abrupt":
                self.abort_connection()
                return
            if close_mode == "clean" or (not pending and time.monotonic() >= deadline):
                self.end_chunks()
                return
            if bookmark is not None:
                self.send_event(bookmark)
                last_bookmark = time.monotonic()

    def write_half_event(self, event, mode):
        """Write the first half of an event then stop: either a chunk header
        promising the whole event followed by half of it (a connection cut
        mid-chunk), or a complete chunk holding half a JSON line."""
        data = json.dumps(event, separators=(",", ":")).encode() + b"\n"
        half = data[:max(1, len(data) // 2)]
        if mode == "partial_line":
            self.write_chunk(half)
        else:
            self.wfile.write(b"%x\r\n" % len(data) + half)

    def client_gone(self):
        """True if the watch client closed its side (EOF on the socket).
        Lets idle watch threads end before their timeout."""
        sock = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            old = sock.gettimeout()
            sock.settimeout(0)
            try:
                if isinstance(sock, ssl.SSLSocket):
                    data = sock.recv(1)
                else:
                    data = sock.recv(1, socket.MSG_PEEK)
            finally:
                sock.settimeout(old)
            return data == b""
        except (ssl.SSLWantReadError, BlockingIOError):
            return False
        except (OSError, ValueError):
            return True

    # ---- pods/status ----

    def handle_status_patch(self, ns, name):
        """PATCH pods/{name}/status (kube-scheduler reports an unschedulable
        pod this way); any patch type is applied as a merge patch."""
        self.send_json(200, self.app.store.patch_status(ns, name, self.read_json()))

    # ---- generic patch ----

    PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
                   "application/strategic-merge-patch+json")

    def handle_patch(self, kind, ns, name):
        """PATCH of a stored object: JSON Patch as the real server applies it
        (a failed op, a failed test included, is 422), merge patches as
        merge_patch does; other types get go-restful's 415."""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type not in self.PATCH_TYPES:
            raise ApiError(415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted "
                           "media types include: " + ", ".join(self.PATCH_TYPES))
        self.send_json(200, self.app.store.patch(kind, ns, name, content_type,
                                                 self.read_json(), self.app.faults))

    # ---- eviction ----

    def handle_eviction(self, ns, name):
        """POST pods/{name}/eviction with a policy/v1 Eviction: 201 Success,
        404, 409 (UID precondition), 429 (a budget allows no disruption), 500
        (more than one budget).  See Store.evict."""
        app = self.app
        body = self.read_json()
        if not isinstance(body, dict):
            raise err_bad_request("unable to decode request body: not an object")
        if body.get("kind") not in (None, "", "Eviction"):
            raise err_bad_request("not a Eviction object: kind %r" % body.get("kind"))
        if (body.get("metadata") or {}).get("name") != name:
            raise err_bad_request("name in URL does not match name in Eviction object")
        self.apply_delay("evictions")
        fail = app.faults.take("eviction_fail", "pods")
        if fail is not None:
            self._log_entry["fault"] = "eviction_fail"
            raise err_for_code(int(fail.get("status", 500)))
        preconditions = ((body.get("deleteOptions") or {}).get("preconditions") or {})
        app.store.evict(ns, name, preconditions.get("uid"))
        self.send_json(201, status_body(201, "", "", status="Success"))

    # ---- binding ----

    def handle_binding(self, ns, url_name):
        """POST pods/{name}/binding (and the legacy namespaces/{ns}/bindings)."""
        app = self.app
        body = self.read_json()
        # before the write, so a client that gives up still finds the pod bound
        self.apply_delay("bindings")
        if not isinstance(body, dict):
            raise err_bad_request("unable to decode request body: not an object")
        if body.get("kind") not in (None, "", "Binding"):
            raise err_bad_request("not a Binding object: kind %r" % body.get("kind"))
        meta = body.get("metadata") or {}
        name = meta.get("name") or ""
        if url_name is None:
            url_name = name
            if not name:
                raise ApiError(422, "Invalid", "Binding.core \"\" is invalid: "
                               "metadata.name: Required value: name or "
                               "generateName is required",
                               {"kind": "Binding", "causes": [
                                   {"reason": "FieldValueRequired",
                                    "message": "Required value: name or "
                                               "generateName is required",
                                    "field": "metadata.name"}]})
        if meta.get("namespace") and meta["namespace"] != ns:
            raise err_bad_request("the namespace of the provided object does not "
                                  "match the namespace sent on the request")
        if name != url_name:
            raise err_bad_request("name in URL does not match name in Binding object")
        target = body.get("target") or {}
        errs = []
        if target.get("kind") not in (None, "", "Node"):
            errs.append('target.kind: Unsupported value: "%s": supported values: '
                        '"Node", "<empty>"' % target.get("kind"))
        if not target.get("name"):
            errs.append("target.name: Required value")
        if errs:
            # upstream returns the raw validation aggregate, which the
            # apiserver turns into a 500 Status with an empty reason
            msg = errs[0] if len(errs) == 1 else "[%s]" % ", ".join(errs)
            raise ApiError(500, "", msg)
        fail = app.faults.take("binding_fail", "pods")
        if fail is not None:
            self._log_entry["fault"] = "binding_fail"
            if fail.get("after_commit"):
                app.store.bind(ns, url_name, target["name"], meta.get("annotations"))
            raise err_for_code(int(fail.get("status", 500)))
        app.store.bind(ns, url_name, target["name"], meta.get("annotations"))
        # the create handler fills in 201 for a Status result without a code
        self.send_json(201, status_body(201, "", "", status="Success"))

    # ---- events ----

    def handle_events(self, events, ns, name=None):
        """POST creates an Event in `ns`; GET lists them (all namespaces
        without one), with fieldSelector; GET and PATCH of one by name.  No
        watch: nothing watches Events.  `events` is the core/v1 or the
        events.k8s.io/v1 store."""
        app = self.app
        if name is not None:
            if ns is None:
                raise ApiError(404, "NotFound", MSG_NOT_FOUND_PATH, {})
            if self.command == "PATCH":
                return self.send_json(200, events.patch(ns, name, self.read_json()))
            if self.command in ("GET", "HEAD"):
                return self.send_json(200, events.get(ns, name))
            raise ApiError(405, "MethodNotAllowed", "%s is not supported on resources "
                           "of kind \"events\"" % self.command, {"kind": "events"})
        if self.command == "POST":
            if ns is None:
                raise ApiError(405, "MethodNotAllowed", "POST is not supported on "
                               "resources of kind \"events\"", {"kind": "events"})
            body = self.read_json()
            self.apply_delay("events")
            fail = app.faults.take("event_fail", "events")
            if fail is not None:
                self._log_entry["fault"] = "event_fail"
                raise err_for_code(int(fail.get("status", 500)))
            return self.send_json(201, events.create(ns, body))
        if self.command not in ("GET", "HEAD"):
            raise ApiError(405, "MethodNotAllowed", "%s is not supported on resources "
                           "of kind \"events\"" % self.command, {"kind": "events"})
        pred = parse_field_selector(self.query.get("fieldSelector"), "Event")
        with app.store.lock:
            rv = str(app.store.rv)
        self.send_json(200, {"kind": "EventList", "apiVersion": events.api_version,
                             "metadata": {"resourceVersion": rv},
                             "items": events.list(ns, pred)})

    # ---- control API ----

    def handle_control(self, op):
        """Unauthenticated JSON control endpoints used by tests."""
        app, store = self.app, self.app.store
        try:
            body = self.read_json()
            if self.command == "GET" and op == "state":
                return self.send_json(200, self.control_state())
            if self.command == "GET" and op == "requests":
                since = int(self.query.get("since") or 0)
                return self.send_json(200, {"requests": app.requests(since)})
            if self.command == "GET" and op == "faults":
                return self.send_json(200, {"faults": app.faults.snapshot()})
            if self.command == "GET" and op == "config":
                return self.send_json(200, app.set_config({}))
            if self.command == "GET" and op == "history":
                with store.lock:
                    events = [{"resourceVersion": str(e.rv), "type": e.type,
                               "kind": e.kind, "key": e.key} for e in store.history]
                return self.send_json(200, {"events": events,
                                            "compactedResourceVersion": str(store.compacted_rv)})
            if self.command != "POST":
                return self.send_json(404, {"error": "unknown control endpoint"})
            if op == "objects":
                objs = body.get("objects")
                if objs is None:
                    objs = [body["object"] if "object" in body else body]
                results = []
                for obj in objs:
                    etype, stored = store.put(obj)
                    results.append({"type": etype, "object": stored})
                out = dict(results[-1]) if len(results) == 1 else {"results": results}
                out["resourceVersion"] = results[-1]["object"]["metadata"]["resourceVersion"]
                return self.send_json(200, out)
            if op == "delete":
                obj = store.delete(body.get("kind"), body.get("namespace"), body.get("name"))
                if obj is None:
                    return self.send_json(404, {"error": "no such object"})
                return self.send_json(200, {"type": "DELETED", "object": obj,
                                            "resourceVersion": obj["metadata"]["resourceVersion"]})
            if op == "compact":
                crv = store.compact(body.get("keep", 0))
                return self.send_json(200, {"compactedResourceVersion": str(crv)})
            if op == "faults":
                faults = app.faults.set_many(body)
                store.wake()
                return self.send_json(200, {"faults": faults})
            if op == "config":
                return self.send_json(200, app.set_config(body))
            if op == "close_watches":
                n = store.close_watches(body.get("mode", "clean"))
                return self.send_json(200, {"closed": n})
            if op == "requests/clear":
                app.clear_requests()
                return self.send_json(200, {})
            if op == "reset":
                app.faults.clear()
                store.reset()
                app.events.clear()
                app.events_v1.clear()
                app.clear_requests()
                return self.send_json(200, self.control_state())
            return self.send_json(404, {"error": "unknown control endpoint"})
        except ApiError as err:
            return self.send_json(400, {"error": err.status.get("message")})
        except (ValueError, KeyError, TypeError) as exc:
            return self.send_json(400, {"error": "%s: %s" % (type(exc).__name__, exc)})

    def control_state(self):
        store = self.app.store
        with store.lock:
            objects = [o for _, o in sorted(store.objects.items())]
            return {"resourceVersion": str(store.rv),
                    "compactedResourceVersion": str(store.compacted_rv),
                    "historyLength": len(store.history),
                    "watchers": len(store.watchers),
                    "objects": objects,
                    "faults": self.app.faults.snapshot()}


def api_resource_list(group_version):
    """Discovery for one group/version ("v1" is the core group); None if the
    server has no such group/version."""
    resources = [{"name": res, "singularName": kind.lower(), "namespaced": namespaced,
                  "kind": kind,
                  "verbs": sorted(("get", "list", "watch") + WRITE_VERBS.get(kind, ()))}
                 for kind, (res, _, namespaced, gv) in KINDS.items() if gv == group_version]
    if group_version == "v1":
        resources += [
            {"name": "pods/binding", "singularName": "", "namespaced": True,
             "kind": "Binding", "verbs": ["create"]},
            {"name": "pods/status", "singularName": "", "namespaced": True,
             "kind": "Pod", "verbs": ["get", "patch"]},
            {"name": "pods/eviction", "singularName": "", "namespaced": True,
             "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"]}]
    if group_version in ("v1", EVENTS_V1):
        resources.append({"name": "events", "singularName": "event", "namespaced": True,
                          "kind": "Event", "verbs": ["create", "get", "list", "patch"]})
    if not resources:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": group_version, "resources": resources}


def api_group_list():
    """/apis: every named group the server serves, one version each."""
    versions = sorted({gv for _, _, _, gv in KINDS.values() if "/" in gv} | {EVENTS_V1})
    groups = []
    for gv in versions:
        group, version = gv.split("/")
        entry = {"groupVersion": gv, "version": version}
        groups.append({"name": group, "versions": [entry], "preferredVersion": entry})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


# --------------------------------------------------------------------------
# Server, TLS and lifecycle
# --------------------------------------------------------------------------

class FakeApiServer(ThreadingHTTPServer):
    """ThreadingHTTPServer whose TLS handshake runs in the per-connection
    thread, so a client that never completes a handshake cannot stall accept()."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, app, ssl_ctx):
        self.app = app
        self.ssl_ctx = ssl_ctx
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        if self.ssl_ctx is None:
            return super().finish_request(request, client_address)
        request.settimeout(10)
        try:
            tls = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            if self.app.verbose:
                sys.stderr.write("fake-apiserver: TLS handshake failed: %s\n" % exc)
            return
        tls.settimeout(None)
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.app.verbose:
            super().handle_error(request, client_address)


def make_ssl_context(args):
    if not args.tls_cert:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls_cert, args.tls_key or None)
    if args.client_ca:
        ctx.load_verify_locations(cafile=args.client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def start_exit_watchdogs(args):
    """Make sure a test harness that dies never leaves this process behind."""
    if args.max_seconds > 0:
        t = threading.Timer(args.max_seconds, lambda: os._exit(0))
        t.daemon = True
        t.start()
    if args.exit_on_stdin_eof:
        def wait_eof():
            try:
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            os._exit(0)
        threading.Thread(target=wait_eof, daemon=True).start()


def parse_args(argv):
    p = argparse.ArgumentParser(description="Test-only fake Kubernetes API server.")
    p.add_argument("--port", type=int, default=0, help="TCP port (0 = pick a free one)")
    p.add_argument("--objects", help="kubectl List JSON with initial Nodes/Pods")
    p.add_argument("--token-file", help="require 'Authorization: Bearer <file content>'")
    p.add_argument("--token-grace", type=float, default=0.0,
                   help="seconds the previous token stays valid after rotation")
    p.add_argument("--anonymous-health", action="store_true",
                   help="allow /healthz,/readyz,/livez,/version without a token")
    p.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate chain")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument("--client-ca", help="require client certificates signed by this CA")
    p.add_argument("--bookmark-interval", type=float, default=5.0,
                   help="seconds between BOOKMARK events (0 = never)")
    p.add_argument("--watch-timeout", type=float, default=60.0,
                   help="server-side cap / default for watch duration (seconds)")
    p.add_argument("--expired-watch-mode", choices=("event", "status"), default="event",
                   help="too-old watch RV: ERROR event in a 200 stream, or HTTP 410")
    p.add_argument("--history-limit", type=int, default=100000,
                   help="auto-compact history beyond this many events")
    p.add_argument("--initial-rv", type=int, default=100,
                   help="resource version counter start value")
    p.add_argument("--max-seconds", type=float, default=600.0,
                   help="exit after this many seconds (0 = never)")
    p.add_argument("--exit-on-stdin-eof", action="store_true",
                   help="exit when stdin reaches EOF")
    p.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = p.parse_args(argv)
    if bool(args.tls_key) and not args.tls_cert:
        p.error("--tls-key needs --tls-cert")
    if args.client_ca and not args.tls_cert:
        p.error("--client-ca needs --tls-cert")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    start_exit_watchdogs(args)
    app = App(args)
    if args.objects:
        for obj in load_objects_file(args.objects):
            app.store.put(obj)
    server = FakeApiServer(("127.0.0.1", args.port), app, make_ssl_context(args))
    sys.stdout.write("LISTENING %d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
