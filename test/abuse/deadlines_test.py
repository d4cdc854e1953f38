#!/usr/bin/env python3
"""Read deadline and idle reaping: `serve --read-timeout 2s --idle-timeout 3s`.

A client dribbling headers or a body one byte per second is disconnected about 2 s after it
started its request (accepted: 1.5 s to 5 s); a connection that says nothing is closed about 3 s
after it opened (accepted: 2.5 s to 6 s); a keep-alive client that sends a request every second for
10 s is never closed.

Usage: deadlines_test.py EPC_EXTENDER_BINARY
"""

import time

import abuse_support as support

READ_TIMEOUT = 2.0
IDLE_TIMEOUT = 3.0
CLIENTS = 20  # several of each kind: the deadline holds for all, not just one lucky connection


class DeadlinesTest(support.ServerTestCase):
    server_args = ("--read-timeout", "2s", "--idle-timeout", "3s")

    def wait_closed(self, dribbler, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and dribbler.open_count() > 0:
            time.sleep(0.1)
        dribbler.stop()
        return sorted(dribbler.closed_after.values())

    def check_closed_between(self, name, prefix_tail, low, high):
        dribbler = support.Dribbler(self.port, CLIENTS, *prefix_tail, period=1.0)
        dribbler.start()
        self.assertTrue(dribbler.ready.wait(20))
        closed = self.wait_closed(dribbler, high + 5)
        support.report(f"deadline {name}", clients=CLIENTS, closed=len(closed),
                       first_s=f"{closed[0]:.2f}" if closed else "-",
                       last_s=f"{closed[-1]:.2f}" if closed else "-")
        self.assertEqual(len(closed), CLIENTS, f"{name}: {CLIENTS - len(closed)} still open")
        self.assertGreaterEqual(closed[0], low, f"{name}: closed too early {closed}")
        self.assertLessEqual(closed[-1], high, f"{name}: closed too late {closed}")
        # A timed-out request may be answered (e.g. 408) before the close; never with a 200.
        for data in dribbler.received.values():
            self.assertFalse(data.startswith(b"HTTP/1.1 200"), data[:200])
        self.assert_still_serving(f"after {name}")

    def test_header_dribbler_is_disconnected_after_the_read_timeout(self):
        self.check_closed_between("header dribbler", support.header_dribble(), 1.5, 5.0)

    def test_body_dribbler_is_disconnected_after_the_read_timeout(self):
        self.check_closed_between("body dribbler", support.body_dribble(100000), 1.5, 5.0)

    def test_silent_connection_is_closed_after_the_idle_timeout(self):
        self.check_closed_between("silent connection", (b"", b""), 2.5, 6.0)

    def test_idle_after_a_request_is_closed_after_the_idle_timeout(self):
        connection = support.Connection(self.port, 10)
        response = connection.exchange("POST", "/filter", support.FILTER_BODY)
        self.assertEqual(response.body, self.expected_filter)
        started = time.monotonic()
        closed = connection.closed_by_peer(IDLE_TIMEOUT + 5)
        took = time.monotonic() - started
        connection.close()
        support.report("deadline idle after a request", closed=closed, seconds=f"{took:.2f}")
        self.assertTrue(closed)
        self.assertGreaterEqual(took, 2.5)

    def test_active_keepalive_connection_is_not_closed(self):
        connection = support.Connection(self.port, 5)
        latencies = []
        started = time.monotonic()
        try:
            while time.monotonic() - started < 10:
                sent = time.monotonic()
                response = connection.exchange("POST", "/filter", support.FILTER_BODY)
                latencies.append(time.monotonic() - sent)
                self.assertEqual(response.status, 200)
                self.assertEqual(response.body, self.expected_filter)
                self.assertFalse(response.closes())
                time.sleep(1.0)
        except support.ConnectionClosed:
            self.fail(f"active keep-alive connection closed after {time.monotonic() - started:.1f} s")
        finally:
            connection.close()
        support.summary("deadline keep-alive request every second for 10 s", latencies)
        self.assertGreaterEqual(len(latencies), 9)

    def test_a_slow_but_steady_body_within_the_read_timeout_is_answered(self):
        # 1 KiB of body sent in 4 pieces over ~1.2 s: slow, but inside the 2 s deadline.
        connection = support.Connection(self.port, 10)
        data = support.request_bytes("POST", "/filter", support.FILTER_BODY)
        quarter = len(data) // 4 + 1
        for index in range(4):
            connection.send(data[index * quarter:(index + 1) * quarter])
            time.sleep(0.4 if index < 3 else 0)
        response = connection.read_response()
        connection.close()
        self.assertEqual(response.body, self.expected_filter)


if __name__ == "__main__":
    support.main()
