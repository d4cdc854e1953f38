#!/usr/bin/env python3
"""/status rendered by headless Chromium against the binary serving the demo cluster.

Usage: status_page_chromium_test.py EPC_EXTENDER_BINARY CLUSTER_JSON ARTIFACT_DIR

Starts `epc-extender serve` on a free loopback port with the demo cluster (pools by the agentpool
label), sends kube-scheduler a filter call for a pod that fits and one for a pod whose EPC fits
nowhere, then has Chromium dump the page's DOM and take a 1280x1000 screenshot (kept in
ARTIFACT_DIR as status.png, next to the dumped DOM and the server's log). The DOM is checked against
numbers computed here, independently of the extender, from the cluster file: each confidential
node's bar (capacity, committed, reserved, free EPC, its segments' widths), the pool and cluster
totals, and both decisions with their outcomes. Python standard library only.
"""

import html.parser
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request

EPC_UNITS = {  # the default config's EPC resources and the bytes one unit is
    "sgx.intel.com/epc": 1,
    "kubernetes.azure.com/sgx_epc_mem_in_MiB": 1 << 20,
    "alibabacloud.com/sgx_epc_MiB": 1 << 20,
}
POOL_LABEL = "agentpool"  # pools.labelKey of demo/scoring.yaml, which dev/run-demo serves too
FITS = ("status-fits-0", "1Gi")  # fits on several nodes, so filter reserves nothing
HUGE = ("status-huge-0", "1Ti")  # larger than any node's EPC
DEADLINE_SECONDS = 20
CHROMIUM_SECONDS = 60

SUFFIXES = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50,
            "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "": 1}


def parse_quantity(text):
    """Whole-number Kubernetes quantities, which is all EPC amounts are ("4Gi", "32768")."""
    match = re.fullmatch(r"(\d+)([KMGTP]i|[kMGTP]?)", text)
    if not match:
        raise ValueError(f"quantity {text!r} is not a plain whole number with a suffix")
    return int(match.group(1)) * SUFFIXES[match.group(2)]


def epc_of(resources):
    """EPC bytes in a resource list, under the first EPC name it has; None without one."""
    for name, unit in EPC_UNITS.items():
        if name in resources:
            return parse_quantity(resources[name]) * unit
    return None


def pod_epc(spec):
    def container_epc(container):
        resources = container.get("resources", {})
        epc = epc_of(resources.get("requests", {}))
        return epc if epc is not None else (epc_of(resources.get("limits", {})) or 0)

    app = sum(container_epc(c) for c in spec.get("containers", []))
    init = max([container_epc(c) for c in spec.get("initContainers", [])], default=0)
    return max(app, init) + (epc_of(spec.get("overhead") or {}) or 0)


def expected_state(cluster_path):
    """Confidential nodes and pools as the page should show them, from the cluster file alone."""
    with open(cluster_path) as file:
        items = json.load(file)["items"]
    nodes = {}
    for item in items:
        if item["kind"] != "Node":
            continue
        status = item.get("status", {})
        capacity = epc_of(status.get("allocatable") or {})
        if capacity is None:
            capacity = epc_of(status.get("capacity") or {})
        if capacity is None:
            continue  # a general node
        ready = any(c["type"] == "Ready" and c["status"] == "True"
                    for c in status.get("conditions", []))
        nodes[item["metadata"]["name"]] = {
            "pool": item["metadata"].get("labels", {}).get(POOL_LABEL, ""),
            "capacity": capacity, "committed": 0, "pods": 0,
            "schedulable": ready and not item.get("spec", {}).get("unschedulable", False),
        }
    for item in items:
        if item["kind"] != "Pod":
            continue
        node = item["spec"].get("nodeName")
        if node not in nodes or item.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            continue
        epc = pod_epc(item["spec"])
        if epc > 0:
            nodes[node]["committed"] += epc
            nodes[node]["pods"] += 1
    for node in nodes.values():
        node["free"] = max(0, node["capacity"] - node["committed"])
    pools = {}
    for node in nodes.values():
        pool = pools.setdefault(node["pool"], {"nodes": 0, "capacity": 0, "committed": 0,
                                               "free": 0})
        pool["nodes"] += 1
        for key in ("capacity", "committed", "free"):
            pool[key] += node[key]
    all_node_names = [item["metadata"]["name"] for item in items if item["kind"] == "Node"]
    return nodes, pools, all_node_names


class Dom(html.parser.HTMLParser):
    """The page's hooks: node bars with their segments, pool rows, decision rows, the summary."""

    def __init__(self):
        super().__init__()
        self.nodes, self.pools, self.decisions, self.summary = {}, {}, [], None
        self._node = None       # the node bar being read
        self._decision = None   # the decision row being read
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if self._decision is not None and tag == "tr":
            self._decision = None
        if tag == "div" and "node" in classes and "data-node" in attrs:
            self._node = dict(attrs, segments={})
            self.nodes[attrs["data-node"]] = self._node
        elif tag == "div" and "seg" in classes and self._node is not None:
            width = re.search(r"width:\s*([\d.]+)%", attrs.get("style", ""))
            self._node["segments"][classes[-1]] = float(width.group(1)) if width else None
        elif tag == "tr" and "pool" in classes:
            self.pools[attrs["data-pool"]] = attrs
        elif tag == "tr" and "decision" in classes:
            self._decision = dict(attrs, text="")
            self.decisions.append(self._decision)
        elif tag == "section" and "summary" in classes:
            self.summary = attrs
        if tag == "div" and self._node is not None and "data-node" not in attrs:
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "div" and self._node is not None:
            if self._depth == 0:
                self._node = None
            else:
                self._depth -= 1
        if tag in ("tbody", "table"):
            self._decision = None

    def handle_data(self, data):
        if self._decision is not None:
            self._decision["text"] += data


class Failures:
    def __init__(self):
        self.messages = []

    def equal(self, what, actual, expected):
        if actual != expected:
            self.messages.append(f"{what}: page shows {actual!r}, expected {expected!r}")

    def true(self, what, condition):
        if not condition:
            self.messages.append(what)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method, url, body=None, timeout=5):
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def wait_ready(base, server):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"epc-extender exited with {server.returncode} before it was ready")
        try:
            if http("GET", base + "/readyz", timeout=1)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"/readyz not 200 within {DEADLINE_SECONDS}s")


def filter_request(pod_name, epc, node_names):
    resources = {"requests": {"cpu": "100m", "sgx.intel.com/epc": epc},
                 "limits": {"sgx.intel.com/epc": epc}}
    pod = {"metadata": {"name": pod_name, "namespace": "default", "uid": "uid-" + pod_name},
           "spec": {"containers": [{"name": "app", "resources": resources}], "priority": 0},
           "status": {"phase": "Pending"}}
    return json.dumps({"Pod": pod, "Nodes": None, "NodeNames": node_names}).encode()


def chromium(binary, artifacts, *args):
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--user-data-dir=" + os.path.join(artifacts, "chromium-profile"), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=CHROMIUM_SECONDS)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {result.returncode}:\n"
                           f"{result.stderr[-2000:]}")
    return result.stdout


def check_png(path, failures):
    failures.true(f"no screenshot at {path}", os.path.exists(path))
    if not os.path.exists(path):
        return
    with open(path, "rb") as file:
        head = file.read(24)
    failures.true("screenshot is not a PNG", head[:8] == b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", head[16:24])
    failures.equal("screenshot size", (width, height), (1280, 1000))
    # A blank 1280x1000 PNG compresses to a few KiB; the rendered page is far larger.
    failures.true(f"screenshot is only {os.path.getsize(path)} bytes",
                  os.path.getsize(path) > 20_000)


def check_dom(dom, nodes, pools, failures):
    failures.equal("confidential nodes with a bar", sorted(dom.nodes), sorted(nodes))
    for name, expected in nodes.items():
        shown = dom.nodes.get(name)
        if shown is None:
            continue
        for attribute, key in (("data-capacity-bytes", "capacity"),
                               ("data-committed-bytes", "committed"),
                               ("data-free-bytes", "free"), ("data-epc-pods", "pods")):
            failures.equal(f"{name} {attribute}", int(shown.get(attribute, -1)), expected[key])
        failures.equal(f"{name} data-reserved-bytes", int(shown.get("data-reserved-bytes", -1)), 0)
        failures.equal(f"{name} data-pool", shown.get("data-pool"), expected["pool"])
        failures.equal(f"{name} data-schedulable", shown.get("data-schedulable"),
                       "true" if expected["schedulable"] else "false")
        for segment, key in (("committed", "committed"), ("free", "free")):
            share = 100 * expected[key] / expected["capacity"]
            width = shown["segments"].get(segment, 0.0 if share == 0 else None)
            failures.true(f"{name} {segment} segment is {width}% wide, expected {share:.2f}%",
                          width is not None and abs(width - share) < 0.01)

    failures.equal("pools in the table", sorted(dom.pools), sorted(pools))
    for name, expected in pools.items():
        shown = dom.pools.get(name, {})
        failures.equal(f"pool {name!r} data-nodes", int(shown.get("data-nodes", -1)),
                       expected["nodes"])
        for attribute, key in (("data-capacity-bytes", "capacity"),
                               ("data-committed-bytes", "committed"),
                               ("data-free-bytes", "free")):
            failures.equal(f"pool {name!r} {attribute}", int(shown.get(attribute, -1)),
                           expected[key])

    failures.true("no summary section", dom.summary is not None)
    if dom.summary is not None:
        for attribute, key in (("data-capacity-bytes", "capacity"),
                               ("data-committed-bytes", "committed"),
                               ("data-free-bytes", "free")):
            failures.equal(f"total {attribute}", int(dom.summary.get(attribute, -1)),
                           sum(pool[key] for pool in pools.values()))


def check_decisions(dom, failures):
    def find(pod):
        return [d for d in dom.decisions if d.get("data-pod") == "default/" + pod
                and d.get("data-verb") == "filter"]

    fits, huge = find(FITS[0]), find(HUGE[0])
    failures.equal(f"filter decisions for {FITS[0]}", len(fits), 1)
    failures.equal(f"filter decisions for {HUGE[0]}", len(huge), 1)
    if fits:
        failures.equal(f"{FITS[0]} outcome", fits[0].get("data-outcome"), "success")
    if huge:
        failures.equal(f"{HUGE[0]} outcome", huge[0].get("data-outcome"), "unschedulable")
        failures.true(f"{HUGE[0]} row gives no reason: {huge[0]['text']!r}",
                      "nodes fit" in huge[0]["text"])
    if fits and huge:  # newest first
        failures.true("decisions are not newest first",
                      dom.decisions.index(huge[0]) < dom.decisions.index(fits[0]))


def run(binary, cluster_path, artifacts):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found: sudo apt-get install -y --no-install-recommends chromium")
        return 1
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts)
    config_path = os.path.join(os.path.dirname(cluster_path), "scoring.yaml")
    nodes, pools, node_names = expected_state(cluster_path)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(artifacts, "epc-extender.log"), "w")
    server = subprocess.Popen(
        [binary, "serve", "--cluster-file", cluster_path, "--config", config_path,
         "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(base, server)
        for (pod, epc), wanted in ((FITS, True), (HUGE, False)):
            status, body = http("POST", base + "/filter", filter_request(pod, epc, node_names))
            reply = json.loads(body)
            if status != 200 or bool(reply.get("NodeNames")) != wanted:
                raise RuntimeError(f"filter for {pod} ({epc}): HTTP {status} {body}")
        status, _ = http("GET", base + "/status")
        if status != 200:
            raise RuntimeError(f"GET /status answered HTTP {status}")

        dumped = chromium(browser, artifacts, "--dump-dom", base + "/status")
        with open(os.path.join(artifacts, "status.dom.html"), "w") as file:
            file.write(dumped)
        screenshot = os.path.join(artifacts, "status.png")
        chromium(browser, artifacts, "--screenshot=" + screenshot, "--window-size=1280,1000",
                 "--hide-scrollbars", base + "/status")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
        shutil.rmtree(os.path.join(artifacts, "chromium-profile"), ignore_errors=True)

    dom = Dom()
    dom.feed(dumped)
    failures = Failures()
    failures.true("Chromium's DOM has no 'Ready' badge", 'data-ready="true"' in dumped)
    check_dom(dom, nodes, pools, failures)
    check_decisions(dom, failures)
    check_png(screenshot, failures)
    for message in failures.messages:
        print("FAIL:", message)
    print(f"{len(dom.nodes)} node bars, {len(dom.pools)} pools, {len(dom.decisions)} decisions "
          f"checked; artifacts in {artifacts}")
    return 1 if failures.messages else 0


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    binary, cluster_path, artifacts = sys.argv[1:]
    try:
        return run(os.path.abspath(binary), os.path.abspath(cluster_path),
                   os.path.abspath(artifacts))
    except (RuntimeError, subprocess.TimeoutExpired, OSError, ValueError) as error:
        print("FAIL:", error)
        return 1


if __name__ == "__main__":
    sys.exit(main())
