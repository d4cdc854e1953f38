#!/usr/bin/env python3
"""Chunked bodies that never end or cannot be parsed.

cpprestsdk's listener sends a reply only once a request's body has ended, so a body that never
ends never gets its 413: the server decides it as soon as the body passes the limit, stops
keeping the bytes, and the read timeout (2 s here, 30 s by default) closes the connection.

Endless: 1 KiB chunks without the final 0-chunk, sent until the server answers or closes (bounded
by 100 MiB and 60 s): closed by the read timeout, memory not growing with what was sent.
Bad chunk-size syntax (not hex, negative, overflowing 64 bits, a missing CRLF, a size larger than
the data that follows and then silence): 400 or a closed connection within the read timeout and
the reaper's check, never a hang past 10 s, and never a dead server (a negative size makes the
listener throw std::bad_alloc out of its handler: the guarded thread pool must catch it).

Usage: chunked_test.py EPC_EXTENDER_BINARY
"""

import socket
import threading
import time

import abuse_support as support

HEAD = (b"POST /filter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n")
CHUNK = b"400\r\n" + b" " * 1024 + b"\r\n"
LIMIT = 64 * support.MiB
SEND_CAP = 100 * support.MiB
HANG_SECONDS = 10
READ_TIMEOUT_SECONDS = 2


class EndlessSender(threading.Thread):
    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock = sock
        self.sent = 0
        self.error = None
        self.done = threading.Event()

    def run(self):
        batch = CHUNK * 64
        try:
            self.sock.sendall(HEAD)
            while self.sent < SEND_CAP and not self.done.is_set():
                self.sock.sendall(batch)
                self.sent += 64 * 1024
        except OSError as error:
            self.error = error


class ChunkedTest(support.ServerTestCase):
    server_args = ("--read-timeout", f"{READ_TIMEOUT_SECONDS}s")

    def test_endless_chunked_body_is_closed_by_the_read_timeout(self):
        rss_before = self.server.rss_bytes()
        connection = support.Connection(self.port, 60)
        sender = EndlessSender(connection.sock)
        started = time.monotonic()
        sender.start()
        try:
            response = connection.read_response()
        except (OSError, AssertionError) as error:
            response = error
        took = time.monotonic() - started
        sender.done.set()
        sender.join(timeout=30)
        closed = isinstance(response, OSError) or connection.closed_by_peer(10)
        support.report("endless chunked body", reply=getattr(response, "status", repr(response)),
                       seconds=f"{took:.2f}", body_mib_sent=f"{sender.sent / support.MiB:.1f}",
                       sender_error=repr(sender.error), closed=closed,
                       rss_growth_mib=f"{(self.server.rss_bytes() - rss_before) / support.MiB:.1f}")
        rss_growth = self.server.rss_bytes() - rss_before
        connection.close()
        self.assertTrue(closed, "connection left open")
        self.assertLess(took, READ_TIMEOUT_SECONDS + 5, "closed long after the read timeout")
        if isinstance(response, support.Response):
            self.assertEqual(response.status, 413, response)
        self.assertLess(rss_growth, LIMIT, "memory grew with the bytes sent")
        self.assert_still_serving("after an endless chunked body")

    def test_bad_chunk_syntax_is_400_or_closed_never_a_hang(self):
        cases = {
            "not hex": b"zz\r\n{}\r\n0\r\n\r\n",
            "negative": b"-2\r\n{}\r\n0\r\n\r\n",
            "overflowing size": b"ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
            "huge size then silence": b"7fffffffffffffff\r\n{}",
            "missing CRLF after data": b"2\r\n{}XX0\r\n\r\n",
            "size larger than data then silence": b"100\r\n{}",
            "empty size line": b"\r\n{}\r\n0\r\n\r\n",
        }
        for name, body in cases.items():
            with self.subTest(case=name):
                connection = support.Connection(self.port, HANG_SECONDS)
                started = time.monotonic()
                try:
                    connection.send(HEAD + body)
                    outcome = connection.read_response()
                except (socket.timeout, TimeoutError) as error:
                    outcome = error
                except (OSError, AssertionError) as error:
                    outcome = error  # closed or reset: acceptable
                took = time.monotonic() - started
                connection.close()
                status = getattr(outcome, "status", type(outcome).__name__)
                support.report("bad chunked", case=name.replace(" ", "_"), outcome=status,
                               seconds=f"{took:.2f}")
                time.sleep(0.2)  # a crash would take the process down within this
                self.assertTrue(self.server.alive(), f"server died on chunk size case {name!r}:\n"
                                + self.server.log_tail(5))
                self.assertNotIsInstance(outcome, (socket.timeout, TimeoutError),
                                         f"{name}: no reply and no close in {HANG_SECONDS} s")
                if isinstance(outcome, support.Response):
                    self.assertIn(outcome.status, (400, 413), outcome)
                    self.assertTrue(outcome.json().get("Error"), outcome)
        self.assert_still_serving("after bad chunked bodies")


if __name__ == "__main__":
    support.main()
