#!/usr/bin/env python3
"""Slowloris: 500 connections dribbling headers and 500 dribbling a 100000-byte body, one byte per
second each, while a well-behaved kube-scheduler-like client keeps calling /filter.

The good client's latency during the attack is measured and printed; every one of its calls must
succeed with the exact quiet-server reply, and its p99 must stay far below kube-scheduler's 5 s
extender timeout. Afterwards the server still answers and no EPC moved.

Usage: slowloris_test.py EPC_EXTENDER_BINARY
"""

import time

import abuse_support as support

HEADER_DRIBBLERS = 500
BODY_DRIBBLERS = 500
ATTACK_SECONDS = 20


class SlowlorisTest(support.ServerTestCase):
    def test_good_client_is_answered_promptly_while_1000_slow_clients_dribble(self):
        rss_before = self.server.rss_bytes()
        headers = support.Dribbler(self.port, HEADER_DRIBBLERS, *support.header_dribble())
        bodies = support.Dribbler(self.port, BODY_DRIBBLERS, *support.body_dribble(100000))
        for attacker in (headers, bodies):
            attacker.start()
            self.addCleanup(attacker.stop)
        for attacker in (headers, bodies):
            self.assertTrue(attacker.ready.wait(60), "could not open the slow connections")

        good = support.GoodClient(self.port, self.expected_filter, interval=0.05)
        good.start()
        time.sleep(ATTACK_SECONDS)  # the attack's duration: the good client measures meanwhile
        good.stop()
        threads = self.server.threads()
        fds_under_attack = self.server.open_fds()

        stats = support.summary(
            f"slowloris {HEADER_DRIBBLERS} header + {BODY_DRIBBLERS} body dribblers, good /filter",
            good.latencies)
        support.report("slowloris", good_requests=len(good.latencies),
                       good_failures=len(good.failures),
                       header_dribblers_open=headers.open_count(),
                       body_dribblers_open=bodies.open_count(),
                       connect_errors=headers.connect_errors + bodies.connect_errors,
                       server_fds=fds_under_attack, server_threads=threads,
                       rss_before_mib=f"{rss_before / support.MiB:.1f}",
                       rss_under_attack_mib=f"{self.server.rss_bytes() / support.MiB:.1f}")
        self.assertEqual(good.failures[:5], [])
        self.assertGreater(len(good.latencies), 20)
        self.assertLess(stats["p99"], 500)
        self.assertLess(stats["max"], 2000)
        self.assert_still_serving("during slowloris")
        headers.stop()
        bodies.stop()
        self.assert_still_serving("after slowloris")


if __name__ == "__main__":
    support.main()
