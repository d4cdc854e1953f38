"""Shared pieces of the abuse tests: the real binary on a loopback port, raw HTTP/1.1 on sockets,
a kube-scheduler-like good client that measures latency while an attack runs, slow clients that
dribble bytes, and checks that an attack left the EPC books as they were.

Each test starts `epc-extender serve` on the demo cluster (its own process, killed at the end),
attacks it on 127.0.0.1 and then asserts that a good /filter is still answered correctly and
promptly and that /debug/state shows no EPC committed or reserved by the attack. Every socket has a
timeout, so a hung server fails a test instead of hanging it. Python standard library only.

The binary is the first command-line argument (CTest passes it) or $EPC_EXTENDER.
"""

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_DIR = os.path.join(SOURCE_DIR, "demo")
CLUSTER_FILE = os.path.join(DEMO_DIR, "cluster.json")
SCORING_FILE = os.path.join(DEMO_DIR, "scoring.yaml")
GiB = 1 << 30
MiB = 1 << 20

# kube-scheduler's default extender timeout is 5 s; a good call slower than this under attack is a
# failure even on a shared, noisy CI machine.
GOOD_TIMEOUT = 5.0
STARTUP_SECONDS = 20


def read_demo(name):
    with open(os.path.join(DEMO_DIR, name), "rb") as file:
        return file.read()


FILTER_BODY = read_demo("filter-request.json")
BIND_BODY = read_demo("bind-request.json")
DEMO_POD_EPC = 6 * GiB  # enclave-web-0 in filter-request.json


def binary_path():
    path = os.environ.get("EPC_EXTENDER")
    if not path:
        raise unittest.SkipTest("no binary: pass it as the first argument or set EPC_EXTENDER")
    return path


def main():
    """unittest.main() after taking the binary from argv[1] (CTest's form)."""
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        os.environ["EPC_EXTENDER"] = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


def help_text():
    return subprocess.run([binary_path(), "--help"], capture_output=True, text=True,
                          timeout=20).stdout


# ---------------------------------------------------------------- the server process


class Server:
    """`epc-extender serve` on the demo cluster at 127.0.0.1:<free port>; stop() kills it."""

    def __init__(self, *extra_args, max_body=None):
        self._final_log = None
        self.log_dir = tempfile.mkdtemp(prefix="epc-abuse-")
        self.log_path = os.path.join(self.log_dir, "server.log")
        args = [binary_path(), "serve", "--cluster-file", CLUSTER_FILE, "--config", SCORING_FILE,
                "--listen", "127.0.0.1:0", "--log-format", "text", *extra_args]
        if max_body is not None:
            args += ["--max-body-bytes", str(max_body)]
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        self.port = self._wait_for_port()
        self._wait_ready()

    def _wait_for_port(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited at start ({self.process.returncode}):\n"
                                     + self.log_tail())
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log_text())
            if match:
                return int(match.group(1))
            time.sleep(0.05)
        self.stop()
        raise AssertionError("server did not log its address within the start-up deadline")

    def _wait_ready(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/readyz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("server not ready:\n" + self.log_tail())

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def rss_bytes(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS for the server")

    def threads(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
        return -1

    def open_fds(self):
        try:
            return len(os.listdir(f"/proc/{self.pid}/fd"))
        except OSError:
            return -1

    def log_text(self):
        return self._read_log() if self._final_log is None else self._final_log

    def _read_log(self):
        with open(self.log_path, "rb") as file:
            return file.read().decode("utf-8", "replace")

    def log_tail(self, lines=30):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()
        # The log is kept in memory for the test's asserts, and its directory removed: every run
        # of the suite would otherwise leave hundreds of directories in /tmp.
        if self._final_log is None:
            self._final_log = self._read_log()
            shutil.rmtree(self.log_dir, ignore_errors=True)
        return self.process.returncode


# ---------------------------------------------------------------- raw HTTP/1.1


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body

    def json(self):
        return json.loads(self.body)

    def closes(self):
        return self.headers.get("connection", "").lower() == "close"

    def __repr__(self):
        return f"Response({self.status}, {self.headers}, {self.body[:300]!r})"


class ConnectionClosed(OSError):
    pass


def request_bytes(method, path, body=b"", headers=None, keep_alive=True):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if not keep_alive:
        lines.append("Connection: close")
    if body or method in ("POST", "PUT"):
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    """One client connection; read_response() parses exactly one reply and keeps the rest."""

    def __init__(self, port, timeout=GOOD_TIMEOUT):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def settimeout(self, seconds):
        self.sock.settimeout(seconds)

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionClosed("connection closed by the server")
        self.buffer += data

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _take(self, count):
        while len(self.buffer) < count:
            self._fill()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_response(self):
        status_line = self._line().decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise AssertionError(f"not an HTTP status line: {status_line!r}")
        headers = {}
        while True:
            line = self._line().decode("latin-1")
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    self._line()
                    break
                body += self._take(size)
                self._take(2)
        else:
            body = self._take(int(headers.get("content-length", "0")))
        return Response(int(parts[1]), headers, body)

    def exchange(self, method, path, body=b"", headers=None):
        self.send(request_bytes(method, path, body, headers))
        return self.read_response()

    def closed_by_peer(self, wait):
        """True if the server closes (EOF or reset) within `wait` seconds without sending more."""
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        if data:
            self.buffer += data
            return False
        return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def request(port, method, path, body=b"", headers=None, timeout=GOOD_TIMEOUT):
    connection = Connection(port, timeout)
    try:
        return connection.exchange(method, path, body, headers)
    finally:
        connection.close()


def post(port, path, body, timeout=GOOD_TIMEOUT, headers=None):
    return request(port, "POST", path, body, headers, timeout)


def debug_state(port):
    response = request(port, "GET", "/debug/state")
    assert response.status == 200, response
    return response.json()


# ---------------------------------------------------------------- numbers


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(name, latencies):
    """One printable line of milliseconds, and the numbers for assertions."""
    stats = {"n": len(latencies), "p50": percentile(latencies, 0.50) * 1000,
             "p99": percentile(latencies, 0.99) * 1000,
             "max": max(latencies, default=float("nan")) * 1000}
    line = (f"[abuse] {name}: n={stats['n']} p50={stats['p50']:.1f}ms p99={stats['p99']:.1f}ms "
            f"max={stats['max']:.1f}ms")
    print(line, flush=True)
    return stats


def report(name, **numbers):
    text = " ".join(f"{key}={value}" for key, value in numbers.items())
    print(f"[abuse] {name}: {text}", flush=True)


# ---------------------------------------------------------------- the well-behaved client


class GoodClient(threading.Thread):
    """kube-scheduler's side: filter calls on one keep-alive connection (reconnecting if the
    server closes it) until stopped, every reply checked against the expected bytes."""

    def __init__(self, port, expected_filter, interval=0.05):
        super().__init__(daemon=True)
        self.port = port
        self.expected = expected_filter
        self.interval = interval
        self.latencies = []
        self.failures = []
        self.reconnects = 0
        self._stop_event = threading.Event()

    def run(self):
        connection = None
        while not self._stop_event.is_set():
            started = time.monotonic()
            try:
                if connection is None:
                    connection = Connection(self.port, GOOD_TIMEOUT)
                response = connection.exchange("POST", "/filter", FILTER_BODY)
                self.latencies.append(time.monotonic() - started)
                if response.status != 200 or response.body != self.expected:
                    self.failures.append(f"wrong reply: {response!r}")
                if response.closes():
                    connection.close()
                    connection = None
            except (OSError, AssertionError, ValueError) as error:
                self.failures.append(f"after {time.monotonic() - started:.2f}s: {error!r}")
                if connection is not None:
                    connection.close()
                connection = None
                self.reconnects += 1
            self._stop_event.wait(self.interval)
        if connection is not None:
            connection.close()

    def stop(self):
        self._stop_event.set()
        self.join(timeout=GOOD_TIMEOUT + 5)


# ---------------------------------------------------------------- slow clients


class Dribbler(threading.Thread):
    """`count` connections that each send `prefix` and then one byte of `tail` per `period`
    seconds, all from one thread. Counts connections the server closed (EOF, reset) and the time
    each closing took, and collects any bytes the server sent."""

    def __init__(self, port, count, prefix, tail, period=1.0, connect_timeout=10.0):
        super().__init__(daemon=True)
        self.port = port
        self.count = count
        self.prefix = prefix
        self.tail = tail
        self.period = period
        self.connect_timeout = connect_timeout
        self.sockets = []
        self.opened_at = {}
        self.closed_after = {}  # socket index -> seconds from open to the server's close
        self.received = {}
        self.connect_errors = 0
        self.ready = threading.Event()
        self._stop_event = threading.Event()

    def _open_all(self):
        for _ in range(self.count):
            if self._stop_event.is_set():
                return
            try:
                sock = socket.create_connection(("127.0.0.1", self.port),
                                                timeout=self.connect_timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self.prefix:
                    sock.sendall(self.prefix)
                sock.setblocking(False)
            except OSError:
                self.connect_errors += 1
                continue
            self.opened_at[len(self.sockets)] = time.monotonic()
            self.sockets.append(sock)

    def _note_closed(self, index):
        if index not in self.closed_after:
            self.closed_after[index] = time.monotonic() - self.opened_at[index]

    def _drain(self, index, sock):
        while True:
            try:
                data = sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self._note_closed(index)
                return
            if not data:
                self._note_closed(index)
                return
            self.received[index] = self.received.get(index, b"") + data

    def run(self):
        self._open_all()
        self.ready.set()
        position = 0
        next_tick = time.monotonic()
        while not self._stop_event.is_set():
            open_ones = [(i, s) for i, s in enumerate(self.sockets) if i not in self.closed_after]
            readable = []
            if open_ones:
                readable, _, _ = select.select([s for _, s in open_ones], [], [],
                                               max(0.0, next_tick - time.monotonic()))
            for index, sock in open_ones:
                if sock in readable:
                    self._drain(index, sock)
            if time.monotonic() >= next_tick:
                next_tick += self.period
                if position < len(self.tail):
                    byte = self.tail[position:position + 1]
                    position += 1
                    for index, sock in open_ones:
                        if index in self.closed_after:
                            continue
                        try:
                            sock.send(byte)
                        except (BlockingIOError, InterruptedError):
                            pass
                        except OSError:
                            self._note_closed(index)
            elif not open_ones:
                self._stop_event.wait(max(0.0, next_tick - time.monotonic()))

    def open_count(self):
        return len(self.sockets) - len(self.closed_after)

    def stop(self):
        self._stop_event.set()
        self.join(timeout=10)
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass


def header_dribble(count=1):
    """A request whose headers never end (a byte per tick, forever in practice)."""
    prefix = b"POST /filter HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    return prefix, b"a" * 100000


def body_dribble(length=100000):
    prefix = (b"POST /filter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Content-Length: " + str(length).encode() + b"\r\n\r\n")
    return prefix, b" " * length


# ---------------------------------------------------------------- the test base


class ServerTestCase(unittest.TestCase):
    """Starts a server per test, records its healthy replies and checks that it is still healthy,
    with the EPC books untouched, after the attack."""

    server_args = ()
    max_body = None

    def setUp(self):
        self.server = Server(*self.server_args, max_body=self.max_body)
        self.addCleanup(self._stop_server)
        self.port = self.server.port
        first = post(self.port, "/filter", FILTER_BODY)
        self.assertEqual(first.status, 200, first)
        self.expected_filter = first.body
        self.assertEqual(first.json()["Error"], "")
        priorities = post(self.port, "/prioritize", FILTER_BODY)
        self.assertEqual(priorities.status, 200, priorities)
        self.expected_prioritize = priorities.body
        self.baseline_state = debug_state(self.port)

    def _stop_server(self):
        if not self.server.alive():
            self.server.stop()
            self.fail(f"server died (exit {self.server.process.returncode}):\n"
                      + self.server.log_tail())
        self.server.stop()

    def assert_still_serving(self, label):
        """A good filter gets the same reply promptly, and no EPC moved."""
        self.assertTrue(self.server.alive(), "server died:\n" + self.server.log_tail())
        latencies = []
        for _ in range(5):
            started = time.monotonic()
            response = post(self.port, "/filter", FILTER_BODY)
            latencies.append(time.monotonic() - started)
            self.assertEqual(response.status, 200, f"{label}: {response!r}")
            self.assertEqual(response.body, self.expected_filter, label)
        self.assertLess(max(latencies), 1.0, f"{label}: good filter after the attack {latencies}")
        self.assert_books_untouched(label)

    def assert_books_untouched(self, label):
        state = debug_state(self.port)
        self.assertTrue(state["ready"], label)
        self.assertEqual(state["total"]["committedBytes"],
                         self.baseline_state["total"]["committedBytes"],
                         f"{label}: committed EPC changed")
        self.assertEqual(state["total"]["epcPods"], self.baseline_state["total"]["epcPods"], label)
        # Only the demo pod's own reservation (from setUp's prioritize) may be held.
        self.assertLessEqual(state["total"]["reservedBytes"], DEMO_POD_EPC,
                             f"{label}: EPC reserved by the attack")
        self.assertLessEqual(state["pendingPods"], 1, label)
        for node in state["nodes"]:
            self.assertLessEqual(node["committedBytes"], node["capacityBytes"], node)
            self.assertGreaterEqual(node["freeBytes"], 0, node)
