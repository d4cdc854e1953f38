#!/usr/bin/env python3
"""Lying and huge Content-Length.

Lying: 300 connections whose headers announce a 60 MB body (under the 64 MiB limit) and then send
10 bytes and wait. A server that sized its buffer by the declared length would hold 300 x 60 MB;
the server's RSS must grow by less than 200 MB. The connections are opened in batches and the test
stops at the first batch that breaks the bound, so a regression fails fast instead of exhausting
the machine's memory.

Huge: a length that is not a number, or overflows 64 bits, gets 400 at once. A length above the
limit (10^12, 2^64-1, 64 MiB + 1) is decided 413 at once, but cpprestsdk's listener writes a reply
only after the announced body has arrived (it reads and discards it): a client that sends the
whole body gets the 413, and one that does not is closed by the read timeout (2 s here).

Usage: content_length_test.py EPC_EXTENDER_BINARY
"""

import socket
import time

import abuse_support as support

LIARS = 300
DECLARED = 60_000_000
BATCH = 10
RSS_GROWTH_LIMIT = 200 * support.MiB


def liar_head(length):
    return (b"POST /filter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(length).encode() + b"\r\n\r\n")


READ_TIMEOUT_SECONDS = 2


class ContentLengthTest(support.ServerTestCase):
    server_args = ("--read-timeout", f"{READ_TIMEOUT_SECONDS}s")

    def test_lying_content_length_does_not_reserve_the_declared_size(self):
        rss_before = self.server.rss_bytes()
        liars = []
        self.addCleanup(lambda: [sock.close() for sock in liars])
        peak_growth = 0
        for batch in range(LIARS // BATCH):
            for _ in range(BATCH):
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                sock.sendall(liar_head(DECLARED) + b'{"Pod": {}')
                liars.append(sock)
            # Let the server see the batch's headers before measuring.
            time.sleep(0.15)
            growth = self.server.rss_bytes() - rss_before
            peak_growth = max(peak_growth, growth)
            self.assertLess(growth, RSS_GROWTH_LIMIT,
                            f"RSS grew by {growth / support.MiB:.0f} MiB with {len(liars)} "
                            f"connections declaring {DECLARED} bytes and sending 10")
        time.sleep(1.0)
        growth = self.server.rss_bytes() - rss_before
        peak_growth = max(peak_growth, growth)
        support.report("lying Content-Length", connections=len(liars), declared_bytes=DECLARED,
                       rss_before_mib=f"{rss_before / support.MiB:.1f}",
                       rss_growth_mib=f"{growth / support.MiB:.1f}",
                       peak_growth_mib=f"{peak_growth / support.MiB:.1f}")
        self.assertLess(growth, RSS_GROWTH_LIMIT)
        self.assert_still_serving("with 300 lying connections open")
        for sock in liars:
            sock.close()
        time.sleep(0.5)
        self.assert_still_serving("after the lying connections closed")

    def test_content_length_that_is_not_a_64_bit_number_is_400_at_once(self):
        # "-1" is not here: cpprestsdk reads it as 2^64-1 and waits for that body (below).
        for length in ("99999999999999999999999", "0x10", "1e9"):
            with self.subTest(content_length=length):
                connection = support.Connection(self.port, 5)
                try:
                    started = time.monotonic()
                    connection.send(liar_head(length) + b"{}")
                    response = connection.read_response()
                    took = time.monotonic() - started
                    support.report("invalid Content-Length", value=length, status=response.status,
                                   ms=f"{took * 1000:.1f}", closes=response.closes())
                    self.assertEqual(response.status, 400, response)
                    self.assertTrue(response.json().get("Error"), response)
                    self.assertTrue(response.closes(), response)
                finally:
                    connection.close()
        self.assert_still_serving("after invalid Content-Length")

    def test_content_length_above_the_limit_is_413_once_sent_or_closed_by_the_read_timeout(self):
        over = 64 * support.MiB + 1
        connection = support.Connection(self.port, 30)
        try:
            started = time.monotonic()
            connection.send(liar_head(over) + b" " * over)
            response = connection.read_response()
            support.report("Content-Length over the limit, body sent", status=response.status,
                           seconds=f"{time.monotonic() - started:.2f}")
            self.assertEqual(response.status, 413, response)
            self.assertIn("exceeds the limit", response.json()["Error"])
            self.assertTrue(response.closes(), response)
        finally:
            connection.close()
        for length in ("1000000000000", str(2**64 - 1), str(over), "-1"):
            with self.subTest(content_length=length):
                connection = support.Connection(self.port, READ_TIMEOUT_SECONDS + 8)
                try:
                    started = time.monotonic()
                    connection.send(liar_head(length) + b"{}")
                    closed = connection.closed_by_peer(READ_TIMEOUT_SECONDS + 8)
                    took = time.monotonic() - started
                    support.report("Content-Length over the limit, body withheld", value=length,
                                   closed=closed, seconds=f"{took:.2f}")
                    self.assertTrue(closed, f"{length}: connection still open after {took:.1f} s")
                    self.assertGreater(took, READ_TIMEOUT_SECONDS - 0.5)
                finally:
                    connection.close()
        self.assert_still_serving("after Content-Length over the limit")


if __name__ == "__main__":
    support.main()
