#!/usr/bin/env python3
"""Pipelined requests: several requests in one write on one connection.

kube-scheduler's Go client never pipelines, and cpprestsdk's listener is known to drop bytes it
has already buffered when it starts the next request, so the server may answer only the first.
What it must not do: give a reply that belongs to another request (a filter reply to a prioritize),
take the process down, or stop serving other clients. What it does is printed for the note. With
the deadline flags a stalled pipelined connection must also be closed.

Usage: pipelining_test.py EPC_EXTENDER_BINARY
"""

import time

import abuse_support as support

WAIT_SECONDS = 6


def pipelined():
    return [("POST", "/filter", support.FILTER_BODY), ("POST", "/prioritize", support.FILTER_BODY),
            ("GET", "/healthz", b""), ("POST", "/filter", support.FILTER_BODY)]


class PipeliningTest(support.ServerTestCase):
    def expected_replies(self):
        return [self.expected_filter, self.expected_prioritize, b"ok", self.expected_filter]

    def run_pipeline(self, label, split_at=None):
        """Sends the pipeline in one write (or two, split at a byte offset) and reads replies
        until all arrived, the server closed, or WAIT_SECONDS passed. Returns (replies, ending)."""
        requests = pipelined()
        data = b"".join(support.request_bytes(m, p, b) for m, p, b in requests)
        connection = support.Connection(self.port, WAIT_SECONDS)
        replies, ending = [], "all answered"
        started = time.monotonic()
        try:
            if split_at is None:
                connection.send(data)
            else:
                connection.send(data[:split_at])
                time.sleep(0.05)
                connection.send(data[split_at:])
            while len(replies) < len(requests):
                connection.settimeout(max(0.1, WAIT_SECONDS - (time.monotonic() - started)))
                replies.append(connection.read_response())
        except support.ConnectionClosed:
            ending = "closed by the server"
        except (TimeoutError, OSError) as error:
            ending = "stalled (open, no reply)" if "timed out" in str(error) else repr(error)
        finally:
            connection.close()
        support.report("pipelining", case=label, requests=len(requests), replies=len(replies),
                       statuses=[r.status for r in replies], ending=ending.replace(" ", "_"),
                       seconds=f"{time.monotonic() - started:.2f}")
        # The first request is whole and first in the stream: it must be answered. Later ones may be
        # refused (cpprestsdk answers a request it misparsed with its own empty 400 and closes),
        # but a 200 must carry the reply to that very request.
        self.assertGreaterEqual(len(replies), 1, f"{label}: the first request got no reply")
        for index, reply in enumerate(replies):
            if index > 0 and 400 <= reply.status < 500:
                self.assertIs(reply, replies[-1], f"{label}: served again after a {reply.status}")
                continue
            self.assertEqual(reply.status, 200, f"{label} reply {index}: {reply!r}")
            self.assertEqual(reply.body, self.expected_replies()[index],
                             f"{label}: reply {index} does not belong to request {index}")
        return replies, ending

    def test_pipelined_requests_never_get_a_wrong_reply(self):
        endings = []
        for label, split in (("one write", None), ("split inside the second request", 1200)):
            with self.subTest(case=label):
                endings.append(self.run_pipeline(label, split)[1])
                self.assert_still_serving(f"after pipelining ({label})")
        self.assertTrue(self.server.alive())

    def test_many_pipelined_connections_do_not_starve_others(self):
        connections = []
        try:
            for _ in range(100):
                connection = support.Connection(self.port, 10)
                connection.send(b"".join(support.request_bytes(m, p, b)
                                         for m, p, b in pipelined()))
                connections.append(connection)
            good = support.GoodClient(self.port, self.expected_filter, interval=0.02)
            good.start()
            time.sleep(3)
            good.stop()
            stats = support.summary("pipelining: good /filter with 100 pipelined connections open",
                                    good.latencies)
            self.assertEqual(good.failures[:5], [])
            self.assertLess(stats["p99"], 500)
        finally:
            for connection in connections:
                connection.close()
        self.assert_still_serving("after 100 pipelined connections")


class PipeliningWithDeadlinesTest(PipeliningTest):
    """The same, with --read-timeout 2s --idle-timeout 3s: a connection stalled by pipelining is
    closed by the server instead of staying open."""

    server_args = ("--read-timeout", "2s", "--idle-timeout", "3s")

    def test_a_stalled_pipeline_is_closed(self):
        replies, ending = self.run_pipeline("deadlines")
        if ending.startswith("stalled"):
            connection = support.Connection(self.port, 10)
            connection.send(b"".join(support.request_bytes(m, p, b) for m, p, b in pipelined()))
            started = time.monotonic()
            deadline = started + 10
            closed = False
            while time.monotonic() < deadline and not closed:
                closed = connection.closed_by_peer(deadline - time.monotonic())
            connection.close()
            support.report("pipelining stalled connection closed", closed=closed,
                           seconds=f"{time.monotonic() - started:.2f}")
            self.assertTrue(closed, "a stalled pipelined connection stayed open")


if __name__ == "__main__":
    support.main()
