#!/usr/bin/env python3
"""Self-test for fake_apiserver.py (stdlib unittest).

Starts the fake as a subprocess and checks the protocol behaviours the
extender's list/watch client relies on.  Run:

    python3 test/fake_apiserver/selftest.py -v

Every test is bounded (socket timeouts of a few seconds); the whole run takes
well under a minute.
"""

import http.client
import json
import os
import select
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_apiserver.py")
IO_TIMEOUT = 5.0


# --------------------------------------------------------------------------
# Harness
# --------------------------------------------------------------------------

class Server:
    """The fake apiserver as a subprocess.  stdin is a pipe and the server
    runs with --exit-on-stdin-eof, so it dies with this test process."""

    def __init__(self, *flags, tls=None):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--port", "0", "--max-seconds", "120",
             "--exit-on-stdin-eof", *flags],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            bufsize=0)  # unbuffered: select() on a buffered pipe can miss the line
        self.tls = tls  # ssl.SSLContext for clients, or None
        self.port = self._read_port()

    def _read_port(self):
        deadline = time.monotonic() + 10
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0, left))
            if not ready:
                self.stop()
                raise RuntimeError("fake apiserver did not print LISTENING")
            byte = self.proc.stdout.read(1)
            if not byte:
                self.stderr.seek(0)
                raise RuntimeError("fake apiserver exited: %s"
                                   % self.stderr.read().decode(errors="replace"))
            line += byte
        word, port = line.decode().split()
        assert word == "LISTENING", line
        return int(port)

    def stop(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(5)
        except (subprocess.TimeoutExpired, OSError):
            self.proc.kill()
            self.proc.wait(5)
        self.proc.stdout.close()
        self.stderr.close()

    # ---- HTTP helpers ----

    def connection(self, timeout=IO_TIMEOUT, context=None):
        if self.tls is not None or context is not None:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                               context=context or self.tls)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, context=None):
        """One request on a fresh connection -> (status, headers, decoded body)."""
        conn = self.connection(context=context)
        try:
            data = json.dumps(body).encode() if body is not None else None
            hdrs = {"Accept": "application/json"}
            if data is not None:
                hdrs["Content-Type"] = "application/json"
            hdrs.update(headers or {})
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            ctype = resp.getheader("Content-Type", "")
            decoded = json.loads(raw) if "json" in ctype and raw else raw.decode()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, decoded
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def ctl(self, op, body=None):
        method = "GET" if body is None else "POST"
        status, _, out = self.request(method, "/_control/" + op, body)
        if status != 200:
            raise AssertionError("control %s failed: %s %s" % (op, status, out))
        return out

    def put(self, obj):
        return self.ctl("objects", {"object": obj})

    def watch(self, path, headers=None):
        return RawWatch(self.port, path, headers)


class Truncated(Exception):
    """The connection closed in the middle of a chunk or without the
    terminating zero-length chunk."""

    def __init__(self, partial):
        super().__init__("stream truncated after %r" % partial[:80])
        self.partial = partial


class RawWatch:
    """Minimal HTTP/1.1 chunked-stream reader on a raw socket, so tests can
    see exactly how a watch response is framed and how it ends."""

    def __init__(self, port, path, headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % port,
                 "Accept: application/json"]
        lines += ["%s: %s" % kv for kv in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        head_lines = head.decode().split("\r\n")
        self.status = int(head_lines[0].split()[1])
        self.headers = {}
        for line in head_lines[1:]:
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()
        self.lines = b""
        self.ended = False

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Truncated(self.buf)
        self.buf += data

    def read_chunk(self):
        """Next chunk payload, or None after the terminating chunk."""
        while b"\r\n" not in self.buf:
            self._fill()
        size_line, rest = self.buf.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        self.buf = rest
        while len(self.buf) < size + 2:
            try:
                self._fill()
            except Truncated:
                raise Truncated(self.buf)
        payload, self.buf = self.buf[:size], self.buf[size + 2:]
        return None if size == 0 else payload

    def next_event(self):
        """Next decoded watch event, or None when the stream ended cleanly."""
        while b"\n" not in self.lines:
            if self.ended:
                return None
            chunk = self.read_chunk()
            if chunk is None:
                self.ended = True
                if self.lines:
                    raise AssertionError("partial line at end: %r" % self.lines)
                return None
            self.lines += chunk
        line, self.lines = self.lines.split(b"\n", 1)
        return json.loads(line)

    def events(self, n):
        out = []
        for _ in range(n):
            ev = self.next_event()
            if ev is None:
                raise AssertionError("stream ended after %d events: %r" % (len(out), out))
            out.append(ev)
        return out

    def close(self):
        self.sock.close()


def pod(name, ns="default", node=None, labels=None, phase="Pending"):
    spec = {"containers": [{"name": "c", "image": "busybox"}]}
    if node:
        spec["nodeName"] = node
    meta = {"name": name, "namespace": ns}
    if labels:
        meta["labels"] = labels
    return {"kind": "Pod", "apiVersion": "v1", "metadata": meta, "spec": spec,
            "status": {"phase": phase}}


def node(name):
    return {"kind": "Node", "apiVersion": "v1", "metadata": {"name": name},
            "status": {"allocatable": {"cpu": "4"}}}


def names(items):
    return [i["metadata"]["name"] for i in items]


class ServerTestCase(unittest.TestCase):
    """One fake apiserver per test class, reset before each test."""

    FLAGS = ()

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(*cls.FLAGS)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def setUp(self):
        self.srv.ctl("reset", {})
        self.srv.ctl("config", {"expired_watch_mode": "event"})

    def assertStatus(self, body, code, reason):
        self.assertEqual(body["kind"], "Status", body)
        self.assertEqual(body["apiVersion"], "v1")
        self.assertEqual(body["status"], "Failure")
        self.assertEqual(body["code"], code)
        self.assertEqual(body.get("reason", ""), reason)


# --------------------------------------------------------------------------
# Protocol
# --------------------------------------------------------------------------

class ListTests(ServerTestCase):
    FLAGS = ("--bookmark-interval", "0.3", "--watch-timeout", "8")

    def test_health_version_and_unknown_path(self):
        for path in ("/healthz", "/readyz"):
            status, _, body = self.srv.get(path)
            self.assertEqual((status, body), (200, "ok"))
        status, _, body = self.srv.get("/version")
        self.assertEqual(status, 200)
        self.assertEqual(body["major"], "1")
        self.assertTrue(body["gitVersion"].startswith("v1."))
        status, _, body = self.srv.get("/api/v1/secrets")
        self.assertEqual(status, 404)
        self.assertStatus(body, 404, "NotFound")

    def test_list_shape(self):
        self.srv.put(node("n1"))
        out = self.srv.put(pod("p1"))
        status, headers, body = self.srv.get("/api/v1/nodes")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual((body["kind"], body["apiVersion"]), ("NodeList", "v1"))
        self.assertEqual(names(body["items"]), ["n1"])
        self.assertEqual(body["metadata"]["resourceVersion"], out["resourceVersion"])
        self.assertNotIn("continue", body["metadata"])
        status, _, body = self.srv.get("/api/v1/pods")
        self.assertEqual(body["kind"], "PodList")
        item = body["items"][0]
        self.assertEqual((item["kind"], item["apiVersion"]), ("Pod", "v1"))
        self.assertEqual(item["metadata"]["resourceVersion"], out["resourceVersion"])
        self.assertTrue(item["metadata"]["uid"])
        status, _, body = self.srv.get("/api/v1/namespaces/default/pods/p1")
        self.assertEqual((status, body["metadata"]["name"]), (200, "p1"))
        status, _, body = self.srv.get("/api/v1/namespaces/default/pods/nope")
        self.assertEqual(status, 404)
        self.assertEqual(body["message"], 'pods "nope" not found')

    def test_paging_is_a_consistent_snapshot(self):
        for i in range(5):
            self.srv.put(pod("p%d" % i))
        self.srv.put(node("n1"))
        status, _, page1 = self.srv.get("/api/v1/pods?limit=2")
        self.assertEqual(status, 200)
        rv = page1["metadata"]["resourceVersion"]
        self.assertEqual(names(page1["items"]), ["p0", "p1"])
        self.assertEqual(page1["metadata"]["remainingItemCount"], 3)
        token = page1["metadata"]["continue"]
        # change the world between pages: the remaining pages must not see it
        self.srv.put(pod("p3", labels={"changed": "yes"}))
        self.srv.ctl("delete", {"kind": "Pod", "namespace": "default", "name": "p4"})
        self.srv.put(pod("p5"))
        status, _, page2 = self.srv.get("/api/v1/pods?limit=2&continue=" + token)
        self.assertEqual(status, 200)
        self.assertEqual(page2["metadata"]["resourceVersion"], rv)
        self.assertEqual(names(page2["items"]), ["p2", "p3"])
        self.assertNotIn("labels", page2["items"][1]["metadata"])
        self.assertEqual(page2["metadata"]["remainingItemCount"], 1)
        status, _, page3 = self.srv.get("/api/v1/pods?limit=2&continue="
                                        + page2["metadata"]["continue"])
        self.assertEqual(names(page3["items"]), ["p4"])
        self.assertNotIn("continue", page3["metadata"])
        self.assertEqual(page3["metadata"]["resourceVersion"], rv)
        status, _, fresh = self.srv.get("/api/v1/pods")
        self.assertEqual(names(fresh["items"]), ["p0", "p1", "p2", "p3", "p5"])
        self.assertGreater(int(fresh["metadata"]["resourceVersion"]), int(rv))
        log = self.srv.ctl("requests")["requests"]
        queries = [r["query"] for r in log if r["path"] == "/api/v1/pods"]
        self.assertEqual(queries[0], "limit=2")
        self.assertTrue(queries[1].startswith("limit=2&continue="))

    def test_continue_with_resource_version_is_rejected(self):
        for i in range(3):
            self.srv.put(pod("p%d" % i))
        _, _, page1 = self.srv.get("/api/v1/pods?limit=1")
        status, _, body = self.srv.get("/api/v1/pods?limit=1&resourceVersion=5&continue="
                                       + page1["metadata"]["continue"])
        self.assertEqual(status, 400)
        self.assertStatus(body, 400, "BadRequest")

    def test_expired_continue_after_compaction(self):
        for i in range(3):
            self.srv.put(pod("p%d" % i))
        _, _, page1 = self.srv.get("/api/v1/pods?limit=1")
        self.srv.put(pod("p9"))
        self.srv.ctl("compact", {"keep": 0})
        status, _, body = self.srv.get("/api/v1/pods?limit=1&continue="
                                       + page1["metadata"]["continue"])
        self.assertEqual(status, 410)
        self.assertStatus(body, 410, "Expired")
        self.assertIn("continue parameter is too old", body["message"])
        # the inconsistent token continues at the current state
        token = body["metadata"]["continue"]
        status, _, rest = self.srv.get("/api/v1/pods?continue=" + token)
        self.assertEqual(status, 200)
        self.assertEqual(names(rest["items"]), ["p1", "p2", "p9"])

    def test_page_expire_fault_is_one_shot(self):
        for i in range(3):
            self.srv.put(pod("p%d" % i))
        _, _, page1 = self.srv.get("/api/v1/pods?limit=1")
        self.srv.ctl("faults", {"page_expire": True})
        url = "/api/v1/pods?limit=1&continue=" + page1["metadata"]["continue"]
        status, _, body = self.srv.get(url)
        self.assertEqual(status, 410)
        self.assertStatus(body, 410, "Expired")
        status, _, body = self.srv.get(url)
        self.assertEqual((status, names(body["items"])), (200, ["p1"]))

    def test_namespaces_and_selectors(self):
        self.srv.put(pod("a1", ns="a", labels={"app": "x"}))
        self.srv.put(pod("a2", ns="a", node="n1", labels={"app": "y"}))
        self.srv.put(pod("b1", ns="b", labels={"app": "x"}))
        _, _, body = self.srv.get("/api/v1/namespaces/a/pods")
        self.assertEqual(names(body["items"]), ["a1", "a2"])
        _, _, body = self.srv.get("/api/v1/pods?fieldSelector=spec.nodeName%3D")
        self.assertEqual(names(body["items"]), ["a1", "b1"])
        _, _, body = self.srv.get("/api/v1/pods?labelSelector=app%20in%20(y)")
        self.assertEqual(names(body["items"]), ["a2"])
        _, _, body = self.srv.get("/api/v1/pods?labelSelector=app%3Dx,!missing")
        self.assertEqual(names(body["items"]), ["a1", "b1"])
        status, _, body = self.srv.get("/api/v1/pods?fieldSelector=spec.bogus%3D1")
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "field label not supported: spec.bogus")

    def test_list_status_fault(self):
        self.srv.ctl("faults", {"list_status": {"status": 503, "count": 2}})
        for _ in range(2):
            status, headers, body = self.srv.get("/api/v1/nodes")
            self.assertEqual(status, 503)
            self.assertStatus(body, 503, "ServiceUnavailable")
        self.assertEqual(self.srv.get("/api/v1/nodes")[0], 200)
        self.srv.ctl("faults", {"list_status": 500})
        status, _, body = self.srv.get("/api/v1/nodes")
        self.assertStatus(body, 500, "InternalError")
        self.assertEqual(self.srv.get("/api/v1/nodes")[0], 200)

    def test_delay_fault(self):
        self.srv.ctl("faults", {"delay_ms": 300})
        t0 = time.monotonic()
        self.assertEqual(self.srv.get("/api/v1/nodes")[0], 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.srv.ctl("faults", {"delay_ms": 0})
        self.assertEqual(self.srv.ctl("faults")["faults"], {})

    def test_down_fault_closes_connections(self):
        self.srv.ctl("faults", {"down": True})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.srv.get("/api/v1/nodes")
        self.assertEqual(self.srv.ctl("state")["resourceVersion"] is not None, True)
        self.srv.ctl("faults", {"down": "503"})
        status, _, body = self.srv.get("/api/v1/nodes")
        self.assertEqual(status, 503)
        self.srv.ctl("faults", {"down": False})
        self.assertEqual(self.srv.get("/api/v1/nodes")[0], 200)

    def test_keep_alive_after_error(self):
        """An error answered before the body was used must not desync the
        connection (the body is drained first)."""
        conn = self.srv.connection()
        try:
            for _ in range(2):
                conn.request("POST", "/api/v1/namespaces/default/pods/zz/binding",
                             body=json.dumps({"metadata": {"name": "zz"},
                                              "target": {"name": "n"}}),
                             headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                self.assertEqual(resp.status, 404)
                resp.read()
            conn.request("GET", "/api/v1/nodes")
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            resp.read()
        finally:
            conn.close()


class WatchTests(ServerTestCase):
    FLAGS = ("--bookmark-interval", "0.3", "--watch-timeout", "8")

    def test_replay_then_live(self):
        self.srv.put(pod("p1"))
        self.srv.put(pod("p2"))
        _, _, lst = self.srv.get("/api/v1/pods")
        rv = lst["metadata"]["resourceVersion"]
        self.srv.put(pod("p1", labels={"v": "2"}))
        self.srv.put(pod("p3"))
        self.srv.ctl("delete", {"kind": "Pod", "namespace": "default", "name": "p2"})
        self.srv.put(node("n1"))  # other resource: must not appear
        w = self.srv.watch("/api/v1/pods?watch=1&resourceVersion=%s" % rv)
        try:
            self.assertEqual(w.status, 200)
            self.assertEqual(w.headers["transfer-encoding"], "chunked")
            self.assertEqual(w.headers["content-type"], "application/json")
            evs = w.events(3)
            self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in evs],
                             [("MODIFIED", "p1"), ("ADDED", "p3"), ("DELETED", "p2")])
            rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
            self.assertEqual(rvs, sorted(rvs))
            self.assertGreater(rvs[0], int(rv))
            self.assertEqual(evs[0]["object"]["metadata"]["labels"], {"v": "2"})
            out = self.srv.put(pod("p4"))
            ev = w.next_event()
            self.assertEqual(ev["type"], "ADDED")
            self.assertEqual(ev["object"]["metadata"]["name"], "p4")
            self.assertEqual(ev["object"]["metadata"]["resourceVersion"],
                             out["resourceVersion"])
        finally:
            w.close()

    def test_watch_true_namespace_and_selector_transitions(self):
        self.srv.put(pod("p1", ns="a"))
        w = self.srv.watch("/api/v1/namespaces/a/pods?watch=true&resourceVersion=0"
                           "&fieldSelector=spec.nodeName%3D")
        try:
            ev = w.next_event()  # synthetic ADDED for the current state
            self.assertEqual((ev["type"], ev["object"]["metadata"]["name"]), ("ADDED", "p1"))
            self.srv.put(pod("other", ns="b"))
            self.srv.put(pod("p1", ns="a", node="n1"))  # leaves the selection
            ev = w.next_event()
            self.assertEqual((ev["type"], ev["object"]["metadata"]["name"]), ("DELETED", "p1"))
        finally:
            w.close()

    def test_timeout_seconds_ends_stream_cleanly(self):
        t0 = time.monotonic()
        w = self.srv.watch("/api/v1/nodes?watch=1&timeoutSeconds=1")
        try:
            self.assertIsNone(w.next_event())
            self.assertLess(time.monotonic() - t0, 3)
        finally:
            w.close()

    def test_watch_lag_delays_live_events_for_matching_user_agents(self):
        self.srv.ctl("config", {"watch_lag_ms": 400, "watch_lag_user_agent": "slow"})
        try:
            out = self.srv.put(node("n1"))
            since = "/api/v1/nodes?watch=1&resourceVersion=%s" % out["resourceVersion"]
            slow = self.srv.watch(since, {"User-Agent": "slow/1"})
            fast = self.srv.watch(since, {"User-Agent": "fast/1"})
            try:
                time.sleep(0.2)  # both watches registered
                t0 = time.monotonic()
                self.srv.put(node("n2"))
                ev = fast.next_event()
                fast_at = time.monotonic() - t0
                self.assertEqual(ev["object"]["metadata"]["name"], "n2")
                ev = slow.next_event()
                slow_at = time.monotonic() - t0
                self.assertEqual(ev["object"]["metadata"]["name"], "n2")
                self.assertLess(fast_at, 0.3)
                self.assertGreaterEqual(slow_at, 0.39)
                self.assertLess(slow_at, 1.5)
            finally:
                slow.close()
                fast.close()
        finally:
            self.srv.ctl("config", {"watch_lag_ms": 0, "watch_lag_user_agent": ""})

    def test_bookmarks(self):
        out = self.srv.put(node("n1"))
        w = self.srv.watch("/api/v1/nodes?watch=1&resourceVersion=%s"
                           "&allowWatchBookmarks=true&timeoutSeconds=3"
                           % out["resourceVersion"])
        try:
            ev = w.next_event()
            self.assertEqual(ev, {"type": "BOOKMARK", "object": {
                "kind": "Node", "apiVersion": "v1",
                "metadata": {"resourceVersion": out["resourceVersion"]}}})
        finally:
            w.close()
        w = self.srv.watch("/api/v1/nodes?watch=1&resourceVersion=%s&timeoutSeconds=1"
                           % out["resourceVersion"])
        try:
            self.assertIsNone(w.next_event())  # not allowed -> none sent
        finally:
            w.close()

    def test_too_old_rv_error_event(self):
        old = self.srv.put(pod("p1"))["resourceVersion"]
        self.srv.put(pod("p2"))
        self.srv.ctl("compact", {"keep": 0})
        w = self.srv.watch("/api/v1/pods?watch=1&resourceVersion=%s" % old)
        try:
            self.assertEqual(w.status, 200)
            ev = w.next_event()
            self.assertEqual(ev["type"], "ERROR")
            self.assertStatus(ev["object"], 410, "Expired")
            self.assertIn("too old resource version", ev["object"]["message"])
            self.assertIsNone(w.next_event())
        finally:
            w.close()

    def test_too_old_rv_http_410_mode(self):
        old = self.srv.put(pod("p1"))["resourceVersion"]
        self.srv.put(pod("p2"))
        self.srv.ctl("compact", {"keep": 1})
        self.srv.ctl("config", {"expired_watch_mode": "status"})
        status, _, body = self.srv.get("/api/v1/pods?watch=1&resourceVersion=%s"
                                       % (int(old) - 1))
        self.assertEqual(status, 410)
        self.assertStatus(body, 410, "Expired")
        # the retained RV still works
        w = self.srv.watch("/api/v1/pods?watch=1&resourceVersion=%s&timeoutSeconds=1" % old)
        try:
            self.assertEqual(w.next_event()["object"]["metadata"]["name"], "p2")
        finally:
            w.close()

    def test_gone_faults_are_one_shot(self):
        rv = self.srv.put(node("n1"))["resourceVersion"]
        path = "/api/v1/nodes?watch=1&timeoutSeconds=1&resourceVersion=" + rv
        self.srv.ctl("faults", {"watch_gone_status": True})
        status, _, body = self.srv.get(path)
        self.assertEqual(status, 410)
        self.assertStatus(body, 410, "Expired")
        self.srv.ctl("faults", {"watch_gone_event": True})
        w = self.srv.watch(path)
        try:
            self.assertEqual(w.status, 200)
            self.assertEqual(w.next_event()["object"]["code"], 410)
            self.assertIsNone(w.next_event())
        finally:
            w.close()
        w = self.srv.watch(path)
        try:
            self.assertIsNone(w.next_event())  # normal watch, ends at timeout
        finally:
            w.close()

    def test_cut_mid_event(self):
        for mode in ("truncate_chunk", "partial_line"):
            rv = self.srv.put(node("n-" + mode))["resourceVersion"]
            w = self.srv.watch("/api/v1/nodes?watch=1&resourceVersion=" + rv)
            try:
                self.srv.ctl("faults", {"cut_watch_mid_event": {"mode": mode}})
                self.srv.put(node("n2-" + mode))
                with self.assertRaises(Truncated) as ctx:
                    w.next_event()
                partial = ctx.exception.partial or w.lines
                self.assertTrue(partial.startswith(b'{"type":"ADDED"'), partial)
                self.assertNotIn(b"\n", partial)
            finally:
                w.close()

    def test_drop_after_events(self):
        for i in range(3):
            self.srv.put(node("n%d" % i))
        self.srv.ctl("faults", {"drop_watch_after_events": 2})
        w = self.srv.watch("/api/v1/nodes?watch=1")
        try:
            self.assertEqual(len(w.events(2)), 2)
            with self.assertRaises(Truncated):
                w.next_event()
        finally:
            w.close()

    def test_down_aborts_open_watch_and_close_watches(self):
        w = self.srv.watch("/api/v1/nodes?watch=1")
        try:
            self.srv.ctl("faults", {"down": True})
            with self.assertRaises(Truncated):
                w.next_event()
        finally:
            w.close()
            self.srv.ctl("faults", {"down": False})
        w = self.srv.watch("/api/v1/nodes?watch=1")
        try:
            deadline = time.monotonic() + 3
            while self.srv.ctl("state")["watchers"] < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(self.srv.ctl("close_watches", {"mode": "clean"})["closed"], 1)
            self.assertIsNone(w.next_event())
        finally:
            w.close()


class BindingTests(ServerTestCase):
    FLAGS = ("--bookmark-interval", "0",)

    @staticmethod
    def binding(name, target, ns="default"):
        return {"apiVersion": "v1", "kind": "Binding",
                "metadata": {"name": name, "namespace": ns},
                "target": {"apiVersion": "v1", "kind": "Node", "name": target}}

    def bind(self, name, target, ns="default", body=None):
        return self.srv.request("POST", "/api/v1/namespaces/%s/pods/%s/binding" % (ns, name),
                                body or self.binding(name, target, ns))

    def test_bind_201_then_409(self):
        self.srv.put(node("n1"))
        rv = self.srv.put(pod("p1"))["resourceVersion"]
        w = self.srv.watch("/api/v1/pods?watch=1&resourceVersion=" + rv)
        try:
            status, _, body = self.bind("p1", "n1")
            self.assertEqual(status, 201)
            self.assertEqual(body, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                    "status": "Success", "code": 201})
            ev = w.next_event()
            self.assertEqual(ev["type"], "MODIFIED")
            self.assertEqual(ev["object"]["spec"]["nodeName"], "n1")
            self.assertGreater(int(ev["object"]["metadata"]["resourceVersion"]), int(rv))
            conds = ev["object"]["status"]["conditions"]
            self.assertIn({"type": "PodScheduled", "status": "True"},
                          [{k: c[k] for k in ("type", "status")} for c in conds])
        finally:
            w.close()
        status, _, body = self.bind("p1", "n2")
        self.assertEqual(status, 409)
        self.assertStatus(body, 409, "Conflict")
        self.assertEqual(body["message"], 'Operation cannot be fulfilled on pods/binding '
                                          '"p1": pod p1 is already assigned to node "n1"')
        self.assertEqual(body["details"], {"name": "p1", "kind": "pods/binding"})

    def test_bind_errors(self):
        self.srv.put(pod("p1"))
        status, _, body = self.bind("ghost", "n1")
        self.assertEqual(status, 404)
        self.assertStatus(body, 404, "NotFound")
        self.assertEqual(body["message"], 'pods "ghost" not found')
        status, _, body = self.bind("p1", "")
        self.assertEqual(status, 500)  # upstream: raw validation error -> 500
        self.assertEqual(body["message"], "target.name: Required value")
        status, _, body = self.bind("p1", "n1", body=self.binding("other", "n1"))
        self.assertEqual(status, 400)
        self.assertStatus(body, 400, "BadRequest")
        pod_state = self.srv.get("/api/v1/namespaces/default/pods/p1")[2]
        self.assertNotIn("nodeName", pod_state["spec"])

    def test_binding_fail_fault(self):
        self.srv.put(pod("p1"))
        self.srv.ctl("faults", {"binding_fail": {"status": 500, "count": 2}})
        for _ in range(2):
            status, _, body = self.bind("p1", "n1")
            self.assertEqual(status, 500)
            self.assertStatus(body, 500, "InternalError")
        self.assertEqual(self.bind("p1", "n1")[0], 201)
        self.srv.put(pod("p2"))
        self.srv.ctl("faults", {"binding_fail": {"status": 503, "after_commit": True}})
        self.assertEqual(self.bind("p2", "n1")[0], 503)
        self.assertEqual(self.bind("p2", "n1")[0], 409)  # it did commit

    def test_binding_delay_fault(self):
        self.srv.put(pod("p1"))
        self.srv.ctl("faults", {"delay_ms": {"ms": 300, "resource": "bindings",
                                             "count": 1}})
        self.assertEqual(self.srv.get("/api/v1/nodes")[0], 200)  # not delayed, not used up
        t0 = time.monotonic()
        self.assertEqual(self.bind("p1", "n1")[0], 201)
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.assertEqual(self.srv.ctl("faults")["faults"], {})


class KubeSchedulerKindsTests(ServerTestCase):
    """What a real kube-scheduler lists, watches and writes besides nodes,
    pods and bindings (bench/e2e_kube_scheduler.py)."""
    FLAGS = ("--bookmark-interval", "0.3", "--watch-timeout", "8")

    # path, list kind, apiVersion: every informer kube-scheduler v1.30 starts
    SCHEDULER_LISTS = [
        ("/api/v1/namespaces", "NamespaceList", "v1"),
        ("/api/v1/services", "ServiceList", "v1"),
        ("/api/v1/replicationcontrollers", "ReplicationControllerList", "v1"),
        ("/api/v1/persistentvolumes", "PersistentVolumeList", "v1"),
        ("/api/v1/persistentvolumeclaims", "PersistentVolumeClaimList", "v1"),
        ("/apis/apps/v1/replicasets", "ReplicaSetList", "apps/v1"),
        ("/apis/apps/v1/statefulsets", "StatefulSetList", "apps/v1"),
        ("/apis/policy/v1/poddisruptionbudgets", "PodDisruptionBudgetList", "policy/v1"),
        ("/apis/storage.k8s.io/v1/storageclasses", "StorageClassList", "storage.k8s.io/v1"),
        ("/apis/storage.k8s.io/v1/csinodes", "CSINodeList", "storage.k8s.io/v1"),
        ("/apis/storage.k8s.io/v1/csidrivers", "CSIDriverList", "storage.k8s.io/v1"),
        ("/apis/storage.k8s.io/v1/csistoragecapacities", "CSIStorageCapacityList",
         "storage.k8s.io/v1"),
    ]

    def test_discovery(self):
        status, _, body = self.srv.get("/apis")
        self.assertEqual((status, body["kind"]), (200, "APIGroupList"))
        self.assertEqual(sorted(g["name"] for g in body["groups"]),
                         ["apps", "coordination.k8s.io", "events.k8s.io", "policy",
                          "storage.k8s.io"])
        status, _, body = self.srv.get("/apis/events.k8s.io/v1")
        self.assertEqual((status, body["groupVersion"]), (200, "events.k8s.io/v1"))
        self.assertEqual([r["name"] for r in body["resources"]], ["events"])
        status, _, body = self.srv.get("/api/v1")
        self.assertIn("persistentvolumes", [r["name"] for r in body["resources"]])
        self.assertIn("pods/binding", [r["name"] for r in body["resources"]])
        self.assertEqual(self.srv.get("/apis/batch/v1")[0], 404)
        self.assertEqual(self.srv.get("/apis/apps/v1/nodes")[0], 404)  # wrong group

    def test_empty_lists_and_idle_watches(self):
        for path, list_kind, api_version in self.SCHEDULER_LISTS:
            status, _, body = self.srv.get(path + "?limit=500&resourceVersion=0")
            self.assertEqual(status, 200, path)
            self.assertEqual((body["kind"], body["apiVersion"], body["items"]),
                             (list_kind, api_version, []))
            rv = body["metadata"]["resourceVersion"]
            w = self.srv.watch("%s?watch=true&resourceVersion=%s&allowWatchBookmarks=true"
                               "&timeoutSeconds=1" % (path, rv))
            try:
                self.assertEqual(w.status, 200)
                ev = w.next_event()
                self.assertEqual(ev["type"], "BOOKMARK")
                self.assertEqual((ev["object"]["kind"], ev["object"]["apiVersion"]),
                                 (list_kind[:-4], api_version))
            finally:
                w.close()

    def test_other_kinds_are_stored_like_pods(self):
        out = self.srv.put({"kind": "PodDisruptionBudget", "apiVersion": "policy/v1",
                            "metadata": {"name": "pdb1"}, "spec": {"minAvailable": 1}})
        self.assertEqual(out["object"]["metadata"]["namespace"], "default")
        self.srv.put({"kind": "StorageClass", "metadata": {"name": "fast"},
                      "provisioner": "x"})
        status, _, body = self.srv.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets")
        self.assertEqual(names(body["items"]), ["pdb1"])
        self.assertEqual(body["items"][0]["apiVersion"], "policy/v1")
        status, _, body = self.srv.get("/apis/storage.k8s.io/v1/storageclasses/fast")
        self.assertEqual((status, body["apiVersion"]), (200, "storage.k8s.io/v1"))
        self.assertEqual(
            self.srv.get("/apis/storage.k8s.io/v1/namespaces/x/storageclasses")[0], 404)
        self.assertEqual(self.srv.get(
            "/apis/policy/v1/poddisruptionbudgets?fieldSelector=metadata.name%3Dpdb1")[0], 200)
        self.assertEqual(self.srv.get(
            "/apis/policy/v1/poddisruptionbudgets?fieldSelector=spec.x%3Dy")[0], 400)
        w = self.srv.watch("/apis/storage.k8s.io/v1/storageclasses?watch=1")
        try:
            ev = w.next_event()
            self.assertEqual((ev["type"], ev["object"]["metadata"]["name"]), ("ADDED", "fast"))
        finally:
            w.close()

    def test_pod_status_patch(self):
        self.srv.put(pod("p1"))
        patch = {"status": {"$setElementOrder/conditions": [{"type": "PodScheduled"}],
                            "conditions": [{"type": "PodScheduled", "status": "False",
                                            "reason": "Unschedulable", "message": "0/1"}]}}
        status, _, body = self.srv.request(
            "PATCH", "/api/v1/namespaces/default/pods/p1/status", patch,
            headers={"Content-Type": "application/strategic-merge-patch+json"})
        self.assertEqual(status, 200)
        self.assertEqual(body["status"]["phase"], "Pending")
        self.assertEqual(body["status"]["conditions"], [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
             "message": "0/1"}])
        patch = {"status": {"conditions": [{"type": "PodScheduled", "message": "0/2"}],
                            "nominatedNodeName": "n1"}}
        body = self.srv.request("PATCH", "/api/v1/namespaces/default/pods/p1/status", patch)[2]
        self.assertEqual(body["status"]["conditions"][0]["message"], "0/2")
        self.assertEqual(body["status"]["conditions"][0]["reason"], "Unschedulable")
        self.assertEqual(body["status"]["nominatedNodeName"], "n1")
        self.assertEqual(self.srv.get("/api/v1/namespaces/default/pods/p1/status")[2],
                         body)
        self.assertEqual(self.srv.request(
            "PATCH", "/api/v1/namespaces/default/pods/nope/status", patch)[0], 404)
        self.assertEqual(self.srv.request(
            "PATCH", "/api/v1/namespaces/default/pods/p1", patch)[0], 405)

    def test_events_v1_create_patch_get(self):
        base = "/apis/events.k8s.io/v1/namespaces/default/events"
        event = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
                 "metadata": {"name": "p1.1", "namespace": "default"},
                 "regarding": {"kind": "Pod", "namespace": "default", "name": "p1"},
                 "reason": "Scheduled", "note": "bound", "type": "Normal",
                 "eventTime": "2026-01-01T00:00:00.000000Z", "action": "Binding",
                 "reportingController": "default-scheduler",
                 "reportingInstance": "default-scheduler-x"}
        status, _, body = self.srv.request("POST", base, event)
        self.assertEqual((status, body["apiVersion"]), (201, "events.k8s.io/v1"))
        status, _, body = self.srv.request("PATCH", base + "/p1.1",
                                           {"series": {"count": 2}})
        self.assertEqual((status, body["series"], body["note"]),
                         (200, {"count": 2}, "bound"))
        self.assertEqual(self.srv.get(base + "/p1.1")[2], body)
        self.assertEqual(names(self.srv.get("/apis/events.k8s.io/v1/events")[2]["items"]),
                         ["p1.1"])
        self.assertEqual(self.srv.get("/api/v1/events")[2]["items"], [])  # apart from core
        self.assertEqual(self.srv.request("PATCH", base + "/nope", {})[0], 404)


class EvictionTests(ServerTestCase):
    """pods/{name}/eviction as EvictionREST.Create decides."""

    def evict(self, name, uid=None, ns="default"):
        body = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": name, "namespace": ns}}
        if uid is not None:
            body["deleteOptions"] = {"preconditions": {"uid": uid}}
        return self.srv.request("POST", "/api/v1/namespaces/%s/pods/%s/eviction" % (ns, name),
                                body)

    def pdb(self, name, selector, allowed, ns="default"):
        return {"kind": "PodDisruptionBudget", "apiVersion": "policy/v1",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"selector": selector},
                "status": {"disruptionsAllowed": allowed, "desiredHealthy": 2,
                           "currentHealthy": 2}}

    def objects(self, kind):
        return {o["metadata"]["name"]: o for o in self.srv.ctl("state")["objects"]
                if o["kind"] == kind}

    def labelled_pod(self, name, labels):
        p = pod(name, phase="Running")
        p["metadata"]["labels"] = labels
        return p

    def test_evicts_and_decrements_the_budget(self):
        self.srv.put(self.labelled_pod("p1", {"app": "a"}))
        self.srv.put(self.pdb("b", {"matchLabels": {"app": "a"}}, 1))
        status, _, body = self.evict("p1")
        self.assertEqual(status, 201)
        self.assertEqual(body, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                "status": "Success", "code": 201})
        self.assertNotIn("p1", self.objects("Pod"))
        self.assertEqual(self.objects("PodDisruptionBudget")["b"]["status"]
                         ["disruptionsAllowed"], 0)
        self.assertEqual(self.srv.ctl("history")["events"][-1]["type"], "DELETED")

    def test_a_budget_without_disruptions_refuses_with_429(self):
        self.srv.put(self.labelled_pod("p1", {"app": "a"}))
        self.srv.put(self.pdb("b", {"matchExpressions": [
            {"key": "app", "operator": "In", "values": ["a", "c"]}]}, 0))
        status, _, body = self.evict("p1")
        self.assertEqual(status, 429)
        self.assertStatus(body, 429, "TooManyRequests")
        self.assertEqual(body["message"],
                         "Cannot evict pod as it would violate the pod's disruption budget.")
        self.assertEqual(body["details"]["causes"], [
            {"reason": "DisruptionBudget",
             "message": "The disruption budget b needs 2 healthy pods and has 2 currently"}])
        self.assertIn("p1", self.objects("Pod"))

    def test_a_null_selector_selects_nothing_an_empty_one_everything(self):
        # policy/v1: {} is labels.Everything(), null is labels.Nothing().
        self.srv.put(self.labelled_pod("p1", {}))
        self.srv.put(self.pdb("none", None, 0))
        self.srv.put(self.pdb("empty", {}, 0))
        status, _, _ = self.evict("p1")
        self.assertEqual(status, 429)
        self.srv.ctl("delete", {"kind": "PodDisruptionBudget", "namespace": "default",
                                "name": "empty"})
        self.assertEqual(self.evict("p1")[0], 201)

    def test_two_budgets_are_500(self):
        self.srv.put(self.labelled_pod("p1", {"app": "a"}))
        self.srv.put(self.pdb("none", None, 0))
        self.srv.put(self.pdb("b1", {"matchLabels": {"app": "a"}}, 1))
        self.srv.put(self.pdb("b2", {"matchExpressions": [
            {"key": "app", "operator": "Exists"}]}, 1))
        status, _, body = self.evict("p1")
        self.assertEqual(status, 500)
        self.assertStatus(body, 500, "")
        self.srv.ctl("delete", {"kind": "PodDisruptionBudget", "namespace": "default",
                                "name": "b2"})
        self.assertEqual(self.evict("p1")[0], 201)

    def test_missing_pod_uid_mismatch_and_fault(self):
        status, _, body = self.evict("nope")
        self.assertEqual(status, 404)
        self.assertStatus(body, 404, "NotFound")
        self.srv.put(self.labelled_pod("p1", {}))
        status, _, body = self.evict("p1", uid="other")
        self.assertEqual(status, 409)
        self.assertStatus(body, 409, "Conflict")
        self.assertIn("Precondition failed: UID in precondition: other", body["message"])
        self.srv.ctl("faults", {"eviction_fail": 500})
        self.assertEqual(self.evict("p1")[0], 500)
        self.assertIn("p1", self.objects("Pod"))
        uid = self.objects("Pod")["p1"]["metadata"]["uid"]
        self.assertEqual(self.evict("p1", uid=uid)[0], 201)


class NodePatchTests(ServerTestCase):
    """PATCH nodes/{name} with RFC 6902 JSON Patch."""

    def patch(self, name, ops, content_type="application/json-patch+json"):
        conn = self.srv.connection()
        try:
            conn.request("PATCH", "/api/v1/nodes/" + name, body=json.dumps(ops).encode(),
                         headers={"Content-Type": content_type})
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read())
        finally:
            conn.close()

    def test_ops_apply_and_a_failed_test_is_422(self):
        rv = self.srv.put(node("n1"))["resourceVersion"]
        status, body = self.patch("n1", [
            {"op": "test", "path": "/metadata/resourceVersion", "value": rv},
            {"op": "add", "path": "/spec/taints", "value": [{"key": "a", "effect": "NoSchedule"}]},
            {"op": "add", "path": "/spec/taints/-", "value": {"key": "c", "effect": "NoSchedule"}},
            {"op": "add", "path": "/spec/taints/1", "value": {"key": "b", "effect": "NoSchedule"}},
            {"op": "replace", "path": "/spec/taints/2/key", "value": "d"},
            {"op": "remove", "path": "/spec/taints/0"}])
        self.assertEqual(status, 200, body)
        self.assertEqual([t["key"] for t in body["spec"]["taints"]], ["b", "d"])
        self.assertGreater(int(body["metadata"]["resourceVersion"]), int(rv))
        status, body = self.patch("n1", [
            {"op": "test", "path": "/metadata/resourceVersion", "value": rv},
            {"op": "remove", "path": "/spec/taints/0"}])
        self.assertEqual(status, 422)
        self.assertEqual(body, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                "status": "Failure", "message":
                                "the server rejected our request due to an error in our request",
                                "reason": "Invalid", "details": {}, "code": 422})
        self.assertEqual(self.patch("n1", [{"op": "remove", "path": "/spec/taints/5"}])[0], 422)
        self.assertEqual(self.patch("nope", [])[0], 404)
        self.assertEqual(self.patch("n1", [], "text/plain")[0], 415)

    def test_touch_before_write_makes_the_test_fail(self):
        rv = self.srv.put(node("n1"))["resourceVersion"]
        self.srv.ctl("faults", {"touch_before_write": {"count": 1, "resource": "nodes"}})
        ops = [{"op": "test", "path": "/metadata/resourceVersion", "value": rv},
               {"op": "add", "path": "/spec/unschedulable", "value": True}]
        self.assertEqual(self.patch("n1", ops)[0], 422)
        rv = self.srv.get("/api/v1/nodes/n1")[2]["metadata"]["resourceVersion"]
        ops[0]["value"] = rv
        self.assertEqual(self.patch("n1", ops)[0], 200)


class LeaseTests(ServerTestCase):
    """coordination.k8s.io/v1 Leases: get, create, update."""

    BASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"

    def lease(self, holder, rv=None):
        meta = {"name": "l", "namespace": "kube-system"}
        if rv is not None:
            meta["resourceVersion"] = rv
        return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta,
                "spec": {"holderIdentity": holder, "leaseDurationSeconds": 10}}

    def test_create_get_update_conflicts(self):
        status, _, body = self.srv.get(self.BASE + "/l")
        self.assertEqual(status, 404)
        self.assertEqual(body["message"], 'leases.coordination.k8s.io "l" not found')
        self.assertEqual(self.srv.request("PUT", self.BASE + "/l", self.lease("a"))[0], 404)
        status, _, created = self.srv.request("POST", self.BASE, self.lease("a"))
        self.assertEqual(status, 201)
        status, _, body = self.srv.request("POST", self.BASE, self.lease("b"))
        self.assertEqual(status, 409)
        self.assertStatus(body, 409, "AlreadyExists")
        rv = created["metadata"]["resourceVersion"]
        status, _, updated = self.srv.request("PUT", self.BASE + "/l", self.lease("b", rv))
        self.assertEqual(status, 200)
        self.assertEqual(updated["spec"]["holderIdentity"], "b")
        self.assertEqual(updated["metadata"]["uid"], created["metadata"]["uid"])
        status, _, body = self.srv.request("PUT", self.BASE + "/l", self.lease("c", rv))
        self.assertEqual(status, 409)
        self.assertStatus(body, 409, "Conflict")
        self.assertEqual(self.srv.get(self.BASE + "/l")[2]["spec"]["holderIdentity"], "b")
        log = self.srv.ctl("requests")["requests"]
        self.assertEqual([(r["method"], r["status"]) for r in log][-3:],
                         [("PUT", 200), ("PUT", 409), ("GET", 200)])
        self.assertEqual(json.loads(log[-2]["body"])["spec"]["holderIdentity"], "c")


class EventTests(ServerTestCase):
    FLAGS = ("--bookmark-interval", "0",)

    @staticmethod
    def event(name, pod_name="p1", ns="default", reason="Tested"):
        return {"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": ns},
                "involvedObject": {"apiVersion": "v1", "kind": "Pod",
                                   "namespace": ns, "name": pod_name},
                "type": "Warning", "reason": reason, "message": "m", "count": 1}

    def create(self, body, ns="default"):
        return self.srv.request("POST", "/api/v1/namespaces/%s/events" % ns, body)

    def test_create_then_list_by_namespace_and_field(self):
        rv = self.srv.put(pod("p1"))["resourceVersion"]
        status, _, body = self.create(self.event("p1.0000000000000001"))
        self.assertEqual(status, 201)
        self.assertEqual(body["metadata"]["name"], "p1.0000000000000001")
        self.assertTrue(body["metadata"]["uid"])
        self.assertEqual(self.create(self.event("p2.1", "p2", ns="other"), ns="other")[0], 201)
        self.assertEqual(self.create(self.event("p1.2", reason="Other"))[0], 201)
        status, _, listed = self.srv.get("/api/v1/namespaces/default/events")
        self.assertEqual((status, listed["kind"]), (200, "EventList"))
        self.assertEqual(names(listed["items"]), ["p1.0000000000000001", "p1.2"])
        self.assertEqual(names(self.srv.get("/api/v1/events")[2]["items"]),
                         ["p1.0000000000000001", "p2.1", "p1.2"])
        selected = self.srv.get("/api/v1/events?fieldSelector=involvedObject.name%3Dp1,"
                                "reason%3DTested")[2]
        self.assertEqual(names(selected["items"]), ["p1.0000000000000001"])
        self.assertEqual(self.srv.get("/api/v1/events?fieldSelector=spec.x%3Dy")[0], 400)
        # Events are outside the watched history.
        self.assertEqual(self.srv.ctl("state")["resourceVersion"], rv)
        self.srv.ctl("reset", {})
        self.assertEqual(self.srv.get("/api/v1/events")[2]["items"], [])

    def test_create_errors(self):
        self.assertEqual(self.create(self.event("e1"))[0], 201)
        status, _, body = self.create(self.event("e1"))
        self.assertEqual(status, 409)
        self.assertStatus(body, 409, "AlreadyExists")
        self.assertEqual(body["message"], 'events "e1" already exists')
        for bad in ("Upper.case", "a" * 254, "trailing-.x", ""):
            status, _, body = self.create(self.event(bad))
            self.assertEqual(status, 422, bad)
            self.assertStatus(body, 422, "Invalid")
        status, _, body = self.create(self.event("e2", ns="default"), ns="other")
        self.assertEqual(status, 400)
        wrong_object = self.event("e3")
        wrong_object["involvedObject"]["namespace"] = "elsewhere"
        status, _, body = self.create(wrong_object)
        self.assertEqual(status, 422)
        self.assertIn("involvedObject.namespace", body["message"])

    def test_event_fail_fault(self):
        self.srv.ctl("faults", {"event_fail": {"status": 403, "count": 1}})
        status, _, body = self.create(self.event("e1"))
        self.assertEqual(status, 403)
        self.assertStatus(body, 403, "Forbidden")
        self.assertEqual(self.create(self.event("e1"))[0], 201)
        self.assertEqual(self.srv.ctl("requests")["requests"][0]["fault"], "event_fail")


# --------------------------------------------------------------------------
# Auth, TLS, lifecycle
# --------------------------------------------------------------------------

class TokenTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.token_file = os.path.join(self.dir, "token")
        self.write_token("tok-1")
        self.srv = Server("--token-file", self.token_file, "--token-grace", "1")

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.dir)

    def write_token(self, value):
        tmp = self.token_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(value + "\n")
        os.replace(tmp, self.token_file)

    def get(self, token):
        headers = {"Authorization": "Bearer " + token} if token else {}
        return self.srv.get("/api/v1/nodes", headers=headers)

    def test_rotation_with_grace(self):
        status, _, body = self.get(None)
        self.assertEqual(status, 401)
        self.assertEqual((body["kind"], body["reason"], body["message"], body["code"]),
                         ("Status", "Unauthorized", "Unauthorized", 401))
        self.assertEqual(self.get("wrong")[0], 401)
        self.assertEqual(self.get("tok-1")[0], 200)
        self.assertEqual(self.srv.ctl("state")["objects"], [])  # control: no auth
        self.write_token("tok-2")
        self.assertEqual(self.get("tok-2")[0], 200)
        self.assertEqual(self.get("tok-1")[0], 200)  # within grace
        time.sleep(1.2)
        self.assertEqual(self.get("tok-1")[0], 401)
        self.assertEqual(self.get("tok-2")[0], 200)
        log = self.srv.ctl("requests")["requests"]
        self.assertEqual([r["authorized"] for r in log],
                         [False, False, True, True, True, False, True])
        self.assertEqual([r["has_authorization"] for r in log][:2], [False, True])


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_pki(d):
    """Throwaway CA plus a server cert (IP SAN 127.0.0.1) and a client cert."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
            "-subj", "/CN=fake-test-ca",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                      ("client", "extendedKeyUsage=clientAuth\n")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext)
        openssl("req", "-new", *ec, "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name, cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "1",
                "-extfile", name + ".ext", cwd=d)


class TlsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        make_pki(cls.dir)
        p = lambda n: os.path.join(cls.dir, n)
        cls.client_ctx = ssl.create_default_context(cafile=p("ca.crt"))
        cls.client_ctx.load_cert_chain(p("client.crt"), p("client.key"))
        cls.srv = Server("--tls-cert", p("server.crt"), "--tls-key", p("server.key"),
                         "--client-ca", p("ca.crt"), tls=cls.client_ctx)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.dir)

    def test_client_certificate_accepted(self):
        self.srv.put(node("n1"))
        status, _, body = self.srv.get("/api/v1/nodes")
        self.assertEqual((status, names(body["items"])), (200, ["n1"]))
        conn = self.srv.connection()
        try:
            conn.request("GET", "/api/v1/nodes?watch=1&resourceVersion=0&timeoutSeconds=2")
            resp = conn.getresponse()
            self.assertEqual(resp.getheader("Transfer-Encoding"), "chunked")
            ev = json.loads(resp.readline())
            self.assertEqual((ev["type"], ev["object"]["metadata"]["name"]), ("ADDED", "n1"))
        finally:
            conn.close()

    def test_missing_client_certificate_rejected(self):
        ctx = ssl.create_default_context(cafile=os.path.join(self.dir, "ca.crt"))
        with self.assertRaises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
            self.srv.get("/api/v1/nodes", context=ctx)
        # and an untrusted server cert is refused by a verifying client
        with self.assertRaises(ssl.SSLError):
            self.srv.get("/healthz", context=ssl.create_default_context())


class LifecycleTests(unittest.TestCase):
    def test_exit_on_stdin_eof(self):
        srv = Server()
        srv.proc.stdin.close()
        self.assertEqual(srv.proc.wait(5), 0)
        srv.stop()

    def test_max_seconds(self):
        srv = Server("--max-seconds", "1")
        self.assertEqual(srv.proc.wait(5), 0)
        srv.stop()

    def test_objects_file(self):
        d = tempfile.mkdtemp()
        try:
            path = os.path.join(d, "objects.json")
            with open(path, "w") as f:
                json.dump({"apiVersion": "v1", "kind": "List",
                           "items": [node("n1"), pod("p1", node="n1")]}, f)
            srv = Server("--objects", path)
            try:
                self.assertEqual(names(srv.get("/api/v1/nodes")[2]["items"]), ["n1"])
                self.assertEqual(names(srv.get("/api/v1/pods")[2]["items"]), ["p1"])
                self.assertEqual(len(srv.ctl("state")["objects"]), 2)
            finally:
                srv.stop()
        finally:
            shutil.rmtree(d)


if __name__ == "__main__":
    unittest.main()
