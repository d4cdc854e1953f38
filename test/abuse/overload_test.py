#!/usr/bin/env python3
"""Far more concurrent keep-alive clients than the binary's pool threads (one by default), plus slow ones.

200 connections loop filter + prioritize as fast as they can while 50 more send a whole filter
body one byte every 10 ms. Every reply, fast or slow, must be 200 with the exact bytes a quiet
server gives; the slow clients must not hold threads the fast ones need.

Usage: overload_test.py EPC_EXTENDER_BINARY
"""

import threading
import time

import abuse_support as support

FAST_CLIENTS = 200
SLOW_CLIENTS = 50
ATTACK_SECONDS = 15
SLOW_PERIOD = 0.01  # one body byte per slow connection every 10 ms: ~12 s for the demo body


class FastClient(threading.Thread):
    def __init__(self, port, expected, deadline):
        super().__init__(daemon=True)
        self.port, self.expected, self.deadline = port, expected, deadline
        self.latencies, self.failures = [], []

    def run(self):
        connection = None
        while time.monotonic() < self.deadline:
            for path, body in (("/filter", support.FILTER_BODY),
                               ("/prioritize", support.FILTER_BODY)):
                started = time.monotonic()
                try:
                    if connection is None:
                        connection = support.Connection(self.port, support.GOOD_TIMEOUT)
                    response = connection.exchange("POST", path, body)
                except (OSError, AssertionError, ValueError) as error:
                    self.failures.append(f"{path}: {error!r}")
                    if connection is not None:
                        connection.close()
                    connection = None
                    continue
                self.latencies.append(time.monotonic() - started)
                if response.status != 200 or response.body != self.expected[path]:
                    self.failures.append(f"{path}: {response!r}")
        if connection is not None:
            connection.close()


class OverloadTest(support.ServerTestCase):
    def test_more_keepalive_clients_than_pool_threads_plus_slow_bodies(self):
        expected = {"/filter": self.expected_filter, "/prioritize": self.expected_prioritize}
        rss_before = self.server.rss_bytes()
        prefix = support.request_bytes("POST", "/filter", support.FILTER_BODY)
        head = prefix[:len(prefix) - len(support.FILTER_BODY)]
        slow = support.Dribbler(self.port, SLOW_CLIENTS, head, support.FILTER_BODY,
                                period=SLOW_PERIOD)
        slow.start()
        self.assertTrue(slow.ready.wait(30))
        deadline = time.monotonic() + ATTACK_SECONDS
        fast = [FastClient(self.port, expected, deadline) for _ in range(FAST_CLIENTS)]
        started = time.monotonic()
        for client in fast:
            client.start()
        peak_threads = 0
        while any(client.is_alive() for client in fast):
            peak_threads = max(peak_threads, self.server.threads())
            time.sleep(0.5)
            self.assertLess(time.monotonic() - started, ATTACK_SECONDS + 60, "fast clients hung")
        elapsed = time.monotonic() - started

        # The slow bodies finish ~12 s after they started; each must get the right reply.
        slow_deadline = time.monotonic() + len(support.FILTER_BODY) * SLOW_PERIOD * 3 + 20
        while time.monotonic() < slow_deadline:
            if all(self._complete(slow.received.get(i, b"")) for i in range(len(slow.sockets))):
                break
            time.sleep(0.2)
        slow.stop()

        latencies = [value for client in fast for value in client.latencies]
        failures = [failure for client in fast for failure in client.failures]
        stats = support.summary(f"overload {FAST_CLIENTS} keep-alive + {SLOW_CLIENTS} slow, "
                                f"filter+prioritize latency", latencies)
        support.report("overload", requests=len(latencies), seconds=f"{elapsed:.1f}",
                       rate_per_s=f"{len(latencies) / elapsed:.0f}", failures=len(failures),
                       server_threads_peak=peak_threads,
                       rss_before_mib=f"{rss_before / support.MiB:.1f}",
                       rss_after_mib=f"{self.server.rss_bytes() / support.MiB:.1f}",
                       slow_connect_errors=slow.connect_errors)
        self.assertEqual(failures[:5], [])
        self.assertGreater(len(latencies), FAST_CLIENTS * 2)
        self.assertLess(stats["p99"], 2000)
        self.assertLess(stats["max"], support.GOOD_TIMEOUT * 1000)
        self.assertEqual(slow.connect_errors, 0)
        for index in range(len(slow.sockets)):
            data = slow.received.get(index, b"")
            self.assertTrue(self._complete(data), f"slow client {index} got {data[:200]!r}")
            self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
            self.assertTrue(data.endswith(self.expected_filter), data[-200:])
        self.assert_still_serving("after overload")

    @staticmethod
    def _complete(data):
        head, separator, body = data.partition(b"\r\n\r\n")
        if not separator:
            return False
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return len(body) >= int(value)
        return False


if __name__ == "__main__":
    support.main()
