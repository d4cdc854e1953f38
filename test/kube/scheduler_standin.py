"""A stand-in for kube-scheduler driving epc-extender in NodeNames mode, for tests.

It behaves as kube-scheduler does in what matters to an extender:
- It hears of nodes and pods through its own watch of the API server (User-Agent
  "kube-scheduler/standin"), so it can be ahead of the extender's watch.
- Its own filters come first, from its own view: NodeUnschedulable, the Ready condition, and
  NodeResourcesFit on the EPC resource (allocatable minus the requests of the pods bound or assumed
  on the node). Only the nodes that pass are sent to the extender's filter.
- One scheduling loop, one pod at a time: filter, then prioritize, then a node picked at random
  among the top totals; the bind verb is called asynchronously, the pod assumed on its node
  meanwhile (pkg/scheduler/schedule_one.go, scheduleOne / bindingCycle).
- Its queue follows pkg/scheduler/internal/queue/scheduling_queue.go: a pod that fails is parked
  as unschedulable and retried only on a cluster event its watch delivers (any node event; any
  event of a bound pod; an update of the pod itself) or after podMaxInUnschedulablePodsDuration
  (5 minutes). A pod rejected by an extender is moved by every event: findNodesThatFitPod adds
  framework.ExtenderName to its UnschedulablePlugins, which no queueing hint filters
  (kubernetes/kubernetes#122019). A moved pod still waits out its backoff: 1 s doubled per
  attempt up to 10 s, from its last attempt (calculateBackoffDuration).

It records when each pod was bound (as its own watch saw it), so tests measure time to placement
from the API server's point of view.
"""
import http.client
import json
import queue
import random
import threading
import time
import urllib.parse

EPC = "sgx.intel.com/epc"
INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 10.0
FLUSH_AFTER = 300.0


def quantity_bytes(text):
    """The few quantity forms the tests use: plain, Ki, Mi, Gi."""
    text = str(text)
    for suffix, factor in (("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30)):
        if text.endswith(suffix):
            return int(text[: -len(suffix)]) * factor
    return int(text)


def pod_epc(pod):
    total = 0
    for container in pod.get("spec", {}).get("containers", []):
        requests = container.get("resources", {}).get("requests", {})
        if EPC in requests:
            total += quantity_bytes(requests[EPC])
    return total


def node_epc(node):
    return quantity_bytes(node.get("status", {}).get("allocatable", {}).get(EPC, "0"))


def node_ready(node):
    for condition in node.get("status", {}).get("conditions", []):
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return True


def holds_resources(pod):
    return pod.get("spec", {}).get("nodeName") and pod.get("status", {}).get("phase") not in (
        "Succeeded", "Failed")


def key_of(pod):
    meta = pod["metadata"]
    return meta.get("namespace", "default") + "/" + meta["name"]


class QueuedPod:
    def __init__(self, pod):
        self.pod = pod
        self.attempts = 0
        self.last_attempt = 0.0
        self.parked_at = None  # monotonic time it became unschedulable, or None

    def backoff_until(self):
        if self.attempts == 0:
            return 0.0
        backoff = min(MAX_BACKOFF, INITIAL_BACKOFF * (2 ** (self.attempts - 1)))
        return self.last_attempt + backoff


class SchedulerStandIn:
    def __init__(self, api_url, extender_url, seed=1, log=None,
                 verbs=("filter", "prioritize", "bind")):
        """`extender_url` None, or `verbs` without "bind": the stand-in binds through the API itself
        (kube-scheduler's DefaultBinder); without "filter"/"prioritize" those calls are skipped."""
        self.api = urllib.parse.urlparse(api_url)
        self.ext = urllib.parse.urlparse(extender_url) if extender_url else None
        self.verbs = set(verbs) if extender_url else set()
        self.cycles = []  # seconds per scheduling cycle (filter, prioritize, pick), in order
        self._local = threading.local()
        self.binds = queue.Queue()
        self.random = random.Random(seed)
        self.log = log or (lambda message: None)
        self.lock = threading.Condition()
        self.nodes = {}
        self.pods = {}  # key -> pod as the watch shows it
        self.assumed = {}  # key -> node, bound by us but not yet seen bound
        self.queue = {}  # key -> QueuedPod, pending pods not in flight
        self.bound_at = {}  # key -> (monotonic time its watch saw it bound, node)
        self.attempts = {}  # key -> scheduling attempts
        self.events = 0  # cluster events seen, to tell whether one came during an attempt
        self.stopping = False
        self.threads = []

    # ---- lifecycle -------------------------------------------------------

    def start(self):
        for kind in ("nodes", "pods"):
            thread = threading.Thread(target=self._watch, args=(kind,), daemon=True)
            thread.start()
            self.threads.append(thread)
        loop = threading.Thread(target=self._loop, daemon=True)
        loop.start()
        self.threads.append(loop)
        # Binding goroutines share pooled connections; a few workers with kept-alive ones stand in.
        for _ in range(8):
            worker = threading.Thread(target=self._bind_worker, daemon=True)
            worker.start()
            self.threads.append(worker)

    def stop(self):
        with self.lock:
            self.stopping = True
            self.lock.notify_all()
        for _ in range(8):
            self.binds.put(None)

    def wait_bound(self, key, timeout):
        deadline = time.monotonic() + timeout
        with self.lock:
            while key not in self.bound_at and time.monotonic() < deadline:
                self.lock.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            return self.bound_at.get(key)

    def wait_parked(self, key, timeout):
        """True once `key` has failed an attempt and waits, unschedulable, for a cluster event."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while time.monotonic() < deadline:
                queued = self.queue.get(key)
                if queued is not None and queued.parked_at is not None:
                    return True
                self.lock.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            return False

    # ---- the watch --------------------------------------------------------

    def _watch(self, kind):
        while True:
            with self.lock:
                if self.stopping:
                    return
            connection = http.client.HTTPConnection(self.api.hostname, self.api.port, timeout=60)
            try:
                connection.request("GET", "/api/v1/%s?watch=1&resourceVersion=0" % kind,
                                   headers={"User-Agent": "kube-scheduler/standin"})
                response = connection.getresponse()
                while True:
                    line = response.readline()
                    if not line:
                        break
                    self._apply(kind, json.loads(line))
            except (OSError, http.client.HTTPException, ValueError):
                time.sleep(0.1)
            finally:
                connection.close()

    def _apply(self, kind, event):
        kind_type, obj = event.get("type"), event.get("object", {})
        if kind_type not in ("ADDED", "MODIFIED", "DELETED"):
            return
        now = time.monotonic()
        with self.lock:
            if kind == "nodes":
                name = obj["metadata"]["name"]
                if kind_type == "DELETED":
                    self.nodes.pop(name, None)
                else:
                    self.nodes[name] = obj
                self._cluster_event(now)
            else:
                key = key_of(obj)
                before = self.pods.get(key)
                if kind_type == "DELETED":
                    self.pods.pop(key, None)
                    self.queue.pop(key, None)
                    self.assumed.pop(key, None)
                    self._cluster_event(now)
                elif obj.get("spec", {}).get("nodeName"):
                    self.pods[key] = obj
                    self.queue.pop(key, None)
                    self.assumed.pop(key, None)
                    if key not in self.bound_at:
                        self.bound_at[key] = (now, obj["spec"]["nodeName"])
                    self._cluster_event(now)
                else:
                    self.pods[key] = obj
                    queued = self.queue.get(key)
                    if queued is None and before is None and key not in self.assumed:
                        self.queue[key] = QueuedPod(obj)  # new: straight to activeQ
                    elif queued is not None and self._spec_changed(before, obj):
                        queued.pod = obj
                        queued.parked_at = None  # an update of the pod itself moves it
            self.lock.notify_all()

    @staticmethod
    def _spec_changed(before, after):
        """isPodUpdated: anything but status, resourceVersion and managedFields."""
        def strip(pod):
            if pod is None:
                return None
            copy = dict(pod)
            copy.pop("status", None)
            meta = dict(copy.get("metadata", {}))
            meta.pop("resourceVersion", None)
            meta.pop("managedFields", None)
            copy["metadata"] = meta
            return copy
        return strip(before) != strip(after)

    def _cluster_event(self, now):
        """MoveAllToActiveOrBackoffQueue: every parked pod moves (they backoff on their own)."""
        self.events += 1
        for queued in self.queue.values():
            queued.parked_at = None

    # ---- the scheduling loop ----------------------------------------------

    def _next(self):
        """The next pod due, as activeQ/backoffQ would pop it; None when stopping."""
        with self.lock:
            while not self.stopping:
                now = time.monotonic()
                due, wake = None, now + 0.2
                for key, queued in sorted(self.queue.items()):
                    if queued.parked_at is not None:
                        if now - queued.parked_at < FLUSH_AFTER:
                            continue
                        queued.parked_at = None  # flushUnschedulablePodsLeftover
                    ready = queued.backoff_until()
                    if ready <= now:
                        due = key
                        break
                    wake = min(wake, ready)
                if due is not None:
                    return self.queue.pop(due)
                self.lock.wait(max(0.001, wake - now))
            return None

    def _loop(self):
        while True:
            queued = self._next()
            if queued is None:
                return
            key = key_of(queued.pod)
            with self.lock:
                queued.attempts += 1
                queued.last_attempt = time.monotonic()
                self.attempts[key] = queued.attempts
                events_before = self.events
            cycle_started = time.perf_counter()
            node = self._schedule(queued.pod)
            self.cycles.append(time.perf_counter() - cycle_started)
            with self.lock:
                if key not in self.pods or self.pods[key].get("spec", {}).get("nodeName"):
                    continue  # deleted or bound meanwhile
                if node is None:
                    # AddUnschedulableIfNotPresent: an event during the attempt (moveRequestCycle)
                    # sends the pod to backoff rather than parking it.
                    queued.parked_at = None if self.events != events_before else time.monotonic()
                    self.queue[key] = queued
                else:
                    self.assumed[key] = node
                    self.binds.put((queued, node))

    def _own_filters(self, pod):
        demand = pod_epc(pod)
        used = {}
        for other_key, other in self.pods.items():
            if holds_resources(other):
                used[other["spec"]["nodeName"]] = used.get(other["spec"]["nodeName"], 0) + pod_epc(
                    other)
        for other_key, node in self.assumed.items():
            if other_key in self.pods:
                used[node] = used.get(node, 0) + pod_epc(self.pods[other_key])
        names = []
        for name, node in sorted(self.nodes.items()):
            if node.get("spec", {}).get("unschedulable") or not node_ready(node):
                continue
            if demand > 0 and demand > node_epc(node) - used.get(name, 0):
                continue
            names.append(name)
        return names

    def _schedule(self, pod):
        with self.lock:
            names = self._own_filters(pod)
        if not names:
            return None
        passing = names
        if "filter" in self.verbs:
            status, filtered = self._post("filter",
                                          {"Pod": pod, "Nodes": None, "NodeNames": names})
            if status != 200 or filtered.get("Error"):
                return None
            passing = filtered.get("NodeNames") or []
        if not passing:
            return None
        if len(passing) == 1:
            return passing[0]  # kube-scheduler skips scoring with one feasible node
        totals = {name: 0 for name in passing}
        if "prioritize" in self.verbs:
            status, scores = self._post("prioritize", {"Pod": pod, "Nodes": None,
                                                       "NodeNames": passing})
            if status == 200:
                for host in scores or []:
                    if host["Host"] in totals:
                        totals[host["Host"]] += host["Score"]
        best = max(totals.values())
        return self.random.choice(sorted(n for n, total in totals.items() if total == best))

    def _bind_worker(self):
        while True:
            item = self.binds.get()
            if item is None:
                return
            self._bind(*item)

    def _bind(self, queued, node):
        meta = queued.pod["metadata"]
        namespace = meta.get("namespace", "default")
        if "bind" in self.verbs:
            status, result = self._post("bind", {"PodName": meta["name"], "PodNamespace": namespace,
                                                 "PodUID": meta.get("uid", ""), "Node": node})
            if status == 200 and not result.get("Error"):
                return
        else:
            status, result = self._request(
                self.api, "/api/v1/namespaces/%s/pods/%s/binding" % (namespace, meta["name"]),
                {"apiVersion": "v1", "kind": "Binding",
                 "metadata": {"name": meta["name"], "namespace": namespace},
                 "target": {"apiVersion": "v1", "kind": "Node", "name": node}})
            if status == 201:
                return
        self.log("bind %s to %s failed: %s" % (key_of(queued.pod), node, result))
        with self.lock:
            key = key_of(queued.pod)
            self.assumed.pop(key, None)
            if key in self.pods and not self.pods[key].get("spec", {}).get("nodeName"):
                queued.parked_at = None  # a binding error goes back through backoff
                self.queue[key] = queued
            self.lock.notify_all()

    def _post(self, verb, body):
        return self._request(self.ext, "/" + verb, body)

    def _request(self, where, path, body):
        """POSTs on a kept-alive connection of this thread's, as kube-scheduler's clients do."""
        cache = getattr(self._local, "connections", None)
        if cache is None:
            cache = self._local.connections = {}
        data = json.dumps(body)
        headers = {"Content-Type": "application/json", "User-Agent": "kube-scheduler/standin"}
        for attempt in (1, 2):
            connection = cache.get((where.hostname, where.port))
            if connection is None:
                connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
                cache[(where.hostname, where.port)] = connection
            try:
                connection.request("POST", path, data, headers)
                response = connection.getresponse()
                return response.status, json.loads(response.read() or b"null")
            except (OSError, http.client.HTTPException, ValueError) as error:
                connection.close()
                del cache[(where.hostname, where.port)]
                if attempt == 2:
                    return 0, {"Error": str(error)}
