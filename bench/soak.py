#!/usr/bin/env python3
"""Mixed-load soak of the real binary: is memory bounded, is every reply right, is latency stable?

Starts `epc-extender serve` on the demo cluster (127.0.0.1, a free port) and for --duration seconds
runs: --clients keep-alive clients looping filter, prioritize and bind (the demo bind, which the
cluster-file source commits to its own ledger once; repeating it is a no-op, so the state stays
fixed and every reply can be compared byte for byte with the first); a trickle of bad requests
(invalid JSON, a body over the limit, an unknown path; their 400/413/404 are expected); and
slow clients that send a whole filter request over a few seconds. VmRSS, threads and open
descriptors are sampled every 5 s and latency is summarised per window, both into a CSV.

Exit status 1 when any reply was unexpected, when RSS at the end exceeds RSS after warm-up by
both 10 % and 20 MiB, or when the last window's p99 is more than 3x the first post-warm-up one
(floored at 10 ms, so scheduler noise on tiny numbers does not count). 10 minutes, by hand:

  python3 bench/soak.py --binary build/scheduler/epc-extender --duration 600 --csv soak.csv

Python standard library only; reuses test/abuse/abuse_support.py for the server and raw HTTP.
"""

import argparse
import csv
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "test", "abuse"))
import abuse_support as support  # noqa: E402

RSS_PERIOD = 5.0
# A small body limit, so the oversized bad request (sent whole: the listener replies only once a
# body has fully arrived, test/abuse/content_length_test.py) costs little.
BODY_LIMIT = 256 * 1024
P99_FLOOR = 0.010


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--warmup", type=float, default=60, help="seconds before the RSS baseline")
    parser.add_argument("--window", type=float, default=30, help="latency window, seconds")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pause", type=float, default=0.005,
                        help="seconds each client waits between rounds (keeps CPU for others)")
    parser.add_argument("--slow-clients", type=int, default=4)
    parser.add_argument("--csv", default="soak.csv")
    return parser.parse_args()


class Recorder:
    """Latencies with their time, and unexpected replies, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []  # (monotonic time, seconds, kind)
        self.errors = []
        self.counts = {}

    def record(self, kind, seconds, ok, detail=""):
        with self.lock:
            self.samples.append((time.monotonic(), seconds, kind))
            self.counts[kind] = self.counts.get(kind, 0) + 1
            if not ok:
                self.errors.append(f"{kind}: {detail}"[:300])


def good_client(port, expected, recorder, stop, pause):
    calls = [("filter", "/filter", support.FILTER_BODY), ("prioritize", "/prioritize",
                                                          support.FILTER_BODY),
             ("bind", "/bind", support.BIND_BODY)]
    connection = None
    while not stop.is_set():
        for kind, path, body in calls:
            started = time.monotonic()
            try:
                if connection is None:
                    connection = support.Connection(port, support.GOOD_TIMEOUT)
                response = connection.exchange("POST", path, body)
                ok = response.status == 200 and response.body == expected[kind]
                recorder.record(kind, time.monotonic() - started, ok, repr(response))
            except (OSError, AssertionError, ValueError) as error:
                recorder.record(kind, time.monotonic() - started, False, repr(error))
                if connection is not None:
                    connection.close()
                connection = None
        stop.wait(pause)
    if connection is not None:
        connection.close()


def bad_client(port, recorder, stop):
    bad = [("invalid json", b"POST", "/filter", b"{not json", {}, 400),
           ("unknown path", b"POST", "/nope", b"{}", {}, 404),
           ("oversized", b"POST", "/filter", b" " * (2 * BODY_LIMIT), {}, 413)]
    while not stop.is_set():
        for kind, _, path, body, headers, status in bad:
            started = time.monotonic()
            try:
                connection = support.Connection(port, support.GOOD_TIMEOUT)
                response = connection.exchange("POST", path, body, headers)
                connection.close()
                recorder.record("bad", time.monotonic() - started, response.status == status,
                                f"{kind}: {response!r}")
            except (OSError, AssertionError, ValueError) as error:
                recorder.record("bad", time.monotonic() - started, False, f"{kind}: {error!r}")
        stop.wait(0.5)


def slow_client(port, expected, recorder, stop):
    data = support.request_bytes("POST", "/filter", support.FILTER_BODY)
    while not stop.is_set():
        started = time.monotonic()
        try:
            connection = support.Connection(port, 30)
            for offset in range(0, len(data), 16):  # ~3 s per request
                connection.send(data[offset:offset + 16])
                if stop.wait(0.04):
                    break
            else:
                response = connection.read_response()
                recorder.record("slow", time.monotonic() - started,
                                response.status == 200 and response.body == expected["filter"],
                                repr(response))
            connection.close()
        except (OSError, AssertionError, ValueError) as error:
            recorder.record("slow", time.monotonic() - started, False, repr(error))


def window_rows(recorder, start, end, window):
    rows = []
    with recorder.lock:
        samples = list(recorder.samples)
    t = start
    while t + window <= end + 0.5:  # whole windows only
        inside = [seconds for at, seconds, kind in samples
                  if t <= at < t + window and kind in ("filter", "prioritize", "bind")]
        rows.append({"window_start_s": round(t - start, 1), "requests": len(inside),
                     "p50_ms": round(support.percentile(inside, 0.5) * 1000, 2),
                     "p99_ms": round(support.percentile(inside, 0.99) * 1000, 2),
                     "max_ms": round(max(inside, default=float("nan")) * 1000, 2)})
        t += window
    return rows


def main():
    args = parse_args()
    os.environ["EPC_EXTENDER"] = os.path.abspath(args.binary)
    server = support.Server(max_body=BODY_LIMIT)
    try:
        return soak(args, server)
    finally:
        code = server.stop()
        print(f"server exit status: {code}")


def soak(args, server):
    port = server.port
    # The one bind commits the demo pod; afterwards every reply is fixed.
    first_bind = support.post(port, "/bind", support.BIND_BODY)
    assert first_bind.status == 200 and first_bind.json()["Error"] == "", first_bind
    expected = {"filter": support.post(port, "/filter", support.FILTER_BODY).body,
                "prioritize": support.post(port, "/prioritize", support.FILTER_BODY).body,
                "bind": first_bind.body}
    assert support.post(port, "/filter", support.FILTER_BODY).body == expected["filter"]

    recorder, stop = Recorder(), threading.Event()
    threads = [threading.Thread(target=good_client, args=(port, expected, recorder, stop,
                                                          args.pause)) for _ in range(args.clients)]
    threads.append(threading.Thread(target=bad_client, args=(port, recorder, stop)))
    threads += [threading.Thread(target=slow_client, args=(port, expected, recorder, stop))
                for _ in range(args.slow_clients)]
    start = time.monotonic()
    for thread in threads:
        thread.daemon = True
        thread.start()

    rss_rows = []
    rss_after_warmup = None
    while time.monotonic() - start < args.duration:
        if not server.alive():
            recorder.errors.append(f"server died: {server.log_tail()}")
            break
        elapsed = time.monotonic() - start
        rss_rows.append({"t_s": round(elapsed, 1), "rss_kib": server.rss_bytes() // 1024,
                         "threads": server.threads(), "fds": server.open_fds(),
                         "requests": sum(recorder.counts.values())})
        if rss_after_warmup is None and elapsed >= args.warmup:
            rss_after_warmup = rss_rows[-1]["rss_kib"]
        time.sleep(min(RSS_PERIOD, max(0.0, args.duration - elapsed)))
    end = time.monotonic()
    stop.set()
    for thread in threads:
        thread.join(timeout=40)
    if server.alive():
        rss_rows.append({"t_s": round(time.monotonic() - start, 1),
                         "rss_kib": server.rss_bytes() // 1024, "threads": server.threads(),
                         "fds": server.open_fds(), "requests": sum(recorder.counts.values())})
    windows = window_rows(recorder, start, end, args.window)

    with open(args.csv, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["kind", "t_s", "rss_kib", "threads", "fds", "requests", "p50_ms",
                         "p99_ms", "max_ms"])
        for row in rss_rows:
            writer.writerow(["rss", row["t_s"], row["rss_kib"], row["threads"], row["fds"],
                             row["requests"], "", "", ""])
        for row in windows:
            writer.writerow(["window", row["window_start_s"], "", "", "", row["requests"],
                             row["p50_ms"], row["p99_ms"], row["max_ms"]])

    rss = [row["rss_kib"] for row in rss_rows]
    baseline = rss_after_warmup if rss_after_warmup is not None else rss[0]
    growth_kib = rss[-1] - baseline
    print(f"soak: {end - start:.0f} s, {args.clients} clients, {args.slow_clients} slow; "
          f"requests by kind: {recorder.counts}; total {sum(recorder.counts.values())}")
    print(f"errors (unexpected replies): {len(recorder.errors)}")
    for error in recorder.errors[:10]:
        print(f"  {error}")
    print(f"RSS MiB: first {rss[0] / 1024:.1f}, after warm-up {baseline / 1024:.1f}, "
          f"last {rss[-1] / 1024:.1f}, max {max(rss) / 1024:.1f}; growth after warm-up "
          f"{growth_kib / 1024:.1f} MiB; threads last {rss_rows[-1]['threads']}, "
          f"fds last {rss_rows[-1]['fds']}")
    for row in windows:
        print(f"  window {row['window_start_s']:>6.0f}s: n={row['requests']:>6} "
              f"p50={row['p50_ms']:.2f}ms p99={row['p99_ms']:.2f}ms max={row['max_ms']:.2f}ms")
    print(f"CSV: {os.path.abspath(args.csv)}")

    failures = []
    if recorder.errors:
        failures.append(f"{len(recorder.errors)} unexpected replies")
    if growth_kib * 1024 > 20 * support.MiB and growth_kib > 0.10 * baseline:
        failures.append(f"RSS grew {growth_kib / 1024:.1f} MiB after warm-up")
    measured = [row for row in windows if row["window_start_s"] >= args.warmup and row["requests"]]
    if len(measured) >= 2:
        first, last = measured[0]["p99_ms"], measured[-1]["p99_ms"]
        if last > 3 * max(first, P99_FLOOR * 1000):
            failures.append(f"p99 drifted from {first:.2f} ms to {last:.2f} ms")
    if not server.alive():
        failures.append("server died")
    print("soak: " + ("FAILED: " + "; ".join(failures) if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
