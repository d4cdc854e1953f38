"""Runs the container image dev/build-image built (epc-extender:<version>, buildah's vfs storage) the way a
cluster would: as its own non-root user, from its own files. No daemon: buildah makes a working container and
`buildah run --isolation chroot` starts the binary in it, on the host's network (127.0.0.1 only).

Checks: the image config (User 65532:65532, entrypoint and command, OCI labels with the project version); nothing
of the build stage in the file system (compiler, cmake, sources, apt lists); `--version`; and `serve` on the
demo cluster answering POST /filter exactly as README.md shows, from a process whose uid is 65532.

Usage: ./dev/build-image && python3 test/image/image_test.py [unittest args]
Environment: EPC_IMAGE (default epc-extender:<CMakeLists.txt version>).
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import unittest
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDAH = ["buildah", "--storage-driver", "vfs"]
USER = "65532:65532"
OCI = "org.opencontainers.image."


def project_version():
    with open(os.path.join(REPO, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"^project\(epc-extender VERSION ([0-9.]+)", f.read(), re.M).group(1)


VERSION = project_version()
IMAGE = os.environ.get("EPC_IMAGE", f"localhost/epc-extender:{VERSION}")
CONTAINER = "epc-extender-image-test"


def buildah(*args, timeout=120):
    return subprocess.run([*BUILDAH, *args], capture_output=True, text=True, check=True, timeout=timeout).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def readme_filter_reply():
    """The JSON README.md shows for `curl ... @demo/filter-request.json .../filter | python3 -m json.tool`."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    block = re.search(r"@demo/filter-request\.json \S+/filter \| python3 -m json\.tool\n(\{.*?\n\})\n", readme, re.S)
    return json.loads(block.group(1))


def children(pid):
    """Every descendant of pid, from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                    stat = f.read()
                parents[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                pass
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found += kids
        frontier += kids
    return found


def process_name(pid):
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


def status_ids(pid, field):
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        return re.search(rf"^{field}:\s+(.*)$", f.read(), re.M).group(1).split()


class ImageTest(unittest.TestCase):
    """The image as built: its config, its file system, and the binary running in it."""

    @classmethod
    def setUpClass(cls):
        cls.inspect = json.loads(buildah("inspect", "--type", "image", IMAGE))
        # One working container for the whole class; removed (and unmounted) however the tests end. Its fixed
        # name lets the next run remove one left behind by a run that was killed.
        subprocess.run([*BUILDAH, "rm", CONTAINER], capture_output=True, timeout=120, check=False)
        cls.container = buildah("from", "--pull=never", "--quiet", "--name", CONTAINER, IMAGE).strip()
        try:
            cls.root = buildah("mount", cls.container).strip()
            # The demo inputs, world-readable, in the container only (the image is not changed).
            buildah("copy", "--chown", "0:0", "--chmod", "0644", cls.container,
                    os.path.join(REPO, "demo", "cluster.json"), os.path.join(REPO, "demo", "scoring.yaml"),
                    "/tmp/demo/")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        subprocess.run([*BUILDAH, "umount", cls.container], capture_output=True, timeout=60, check=False)
        subprocess.run([*BUILDAH, "rm", cls.container], capture_output=True, timeout=120, check=False)

    def run_in_image(self, *args, timeout=60):
        return subprocess.run([*BUILDAH, "run", "--isolation", "chroot", "--user", USER, "--network", "host",
                               self.container, "--", *args],
                              capture_output=True, text=True, timeout=timeout, check=False)

    # ---- the image config ----

    def test_config_runs_as_numeric_non_root_user(self):
        config = self.inspect["OCIv1"]["config"]
        self.assertEqual(config.get("User"), USER)
        self.assertEqual(config.get("Entrypoint"), ["/usr/local/bin/epc-extender"])
        self.assertEqual(config.get("Cmd"),
                         ["serve", "--listen", "0.0.0.0:8888", "--config", "/etc/epc-extender/scoring.yaml"])
        self.assertIn("8888/tcp", config.get("ExposedPorts", {}))

    def test_oci_labels(self):
        labels = self.inspect["OCIv1"]["config"].get("Labels", {})
        for key in ("title", "description", "version", "revision", "source", "licenses"):
            self.assertTrue(labels.get(OCI + key), f"label {OCI}{key} missing or empty")
        self.assertEqual(labels[OCI + "title"], "epc-extender")
        self.assertEqual(labels[OCI + "version"], VERSION)
        revision = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True, text=True,
                                  timeout=30, check=False).stdout.strip()
        if revision:  # the commit built (dev/build-image adds -dirty for uncommitted changes)
            self.assertRegex(labels[OCI + "revision"], rf"^[0-9a-f]{{40}}(-dirty)?$")
        print(f"\n  labels: {json.dumps({k: v for k, v in labels.items() if k.startswith(OCI)}, indent=2)}",
              file=sys.stderr)

    def test_size_is_small(self):
        # Debian slim (~75 MB) plus cpprest, boost's few runtime libs, ssl, yaml-cpp, simdjson, prometheus-cpp
        # and the binary: ~120 MB. A build stage left behind would be ~1 GB.
        listed = buildah("images", "--format", "{{.Size}}", IMAGE).strip()
        print(f"\n  image size: {listed}", file=sys.stderr)
        du = subprocess.run(["du", "-sxm", self.root], capture_output=True, text=True, timeout=120,
                            check=True).stdout.split()[0]
        self.assertLess(int(du), 200, f"root file system is {du} MB")

    # ---- the file system ----

    def test_no_build_stage_leftovers(self):
        for path in ("usr/bin/g++", "usr/bin/gcc", "usr/bin/c++", "usr/bin/cmake", "usr/bin/ninja", "usr/bin/make",
                     "usr/bin/ld", "usr/include/cpprest", "usr/include/boost", "src", "build", "out"):
            self.assertFalse(os.path.lexists(os.path.join(self.root, path)), f"/{path} is in the image")
        lists = os.path.join(self.root, "var/lib/apt/lists")
        self.assertEqual([f for f in os.listdir(lists) if f not in ("partial", "lock", "auxfiles")]
                         if os.path.isdir(lists) else [], [], "apt lists left in the image")
        archives = os.path.join(self.root, "var/cache/apt/archives")
        debs = [f for f in os.listdir(archives) if f.endswith(".deb")] if os.path.isdir(archives) else []
        self.assertEqual(debs, [], "downloaded packages left in the image")

    def test_only_the_binary_and_config_come_from_the_build(self):
        binary = os.path.join(self.root, "usr/local/bin/epc-extender")
        self.assertTrue(os.access(binary, os.X_OK))
        self.assertEqual(sorted(os.listdir(os.path.join(self.root, "usr/local/bin"))), ["epc-extender"])
        self.assertEqual(os.listdir(os.path.join(self.root, "etc/epc-extender")), ["scoring.yaml"])
        sections = subprocess.run(["readelf", "-S", "-W", binary], capture_output=True, text=True, timeout=30,
                                  check=True).stdout
        self.assertNotIn(".symtab", sections, "the binary is not stripped")
        self.assertNotIn(".debug_info", sections, "the binary carries debug info")
        with open(os.path.join(self.root, "etc/passwd"), encoding="utf-8") as f:
            self.assertRegex(f.read(), r"(?m)^nonroot:x:65532:65532:")

    # ---- the binary, running in the image ----

    def test_version(self):
        result = self.run_in_image("/usr/local/bin/epc-extender", "--version")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), f"epc-extender {VERSION}")

    def test_serves_the_demo_cluster_as_non_root(self):
        port = free_port()
        log_path = os.path.join(self.root, "tmp", "serve.log")  # the container's /tmp, seen from the host
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [*BUILDAH, "run", "--isolation", "chroot", "--user", USER, "--network", "host", self.container,
                 "--", "/usr/local/bin/epc-extender", "serve", "--listen", f"127.0.0.1:{port}",
                 "--config", "/tmp/demo/scoring.yaml", "--cluster-file", "/tmp/demo/cluster.json"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            reply = self.filter_when_up(port, server, log_path)
            self.assertEqual(reply, readme_filter_reply())
            self.assertEqual(reply["NodeNames"],
                             ["aks-confpool-dc8sv3-0", "aks-confpool-dc8sv3-1", "aks-confpool-dc16sv3-0"])
            # The answering process is the image's user, not root (real, effective, saved and fs ids).
            pids = [p for p in children(server.pid) if process_name(p) == "epc-extender"]
            self.assertEqual(len(pids), 1, f"processes under buildah run: {children(server.pid)}")
            self.assertEqual(status_ids(pids[0], "Uid"), ["65532"] * 4)
            self.assertEqual(status_ids(pids[0], "Gid"), ["65532"] * 4)
            # SIGTERM is how the kubelet stops it: it must exit on its own, promptly.
            os.kill(pids[0], signal.SIGTERM)
            self.assertEqual(server.wait(timeout=30), 0, self.log(log_path))
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=30)

    def filter_when_up(self, port, server, log_path):
        with open(os.path.join(REPO, "demo", "filter-request.json"), "rb") as f:
            body = f.read()
        deadline = time.monotonic() + 60
        while True:
            self.assertIsNone(server.poll(), "serve exited:\n" + self.log(log_path))
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/filter", data=body, method="POST",
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=10) as response:
                    return json.loads(response.read())
            except (ConnectionError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    self.fail("no answer on /filter within 60 s:\n" + self.log(log_path))
                time.sleep(0.2)

    @staticmethod
    def log(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()[-4000:]


if __name__ == "__main__":
    unittest.main(verbosity=2)
