#!/usr/bin/env python3
"""Latency of one filter call on a NEW connection: plain HTTP vs TLS vs mTLS.

kube-scheduler's HTTP client keeps connections alive, so this is the worst case (every call pays the
TCP and TLS handshakes), as after an idle timeout or a restart. Starts one epc-extender per mode on
127.0.0.1 with the demo cluster, interleaves the modes call by call (so background load hits all
alike) and prints percentiles in milliseconds. The client is Python's ssl/http.client (OpenSSL, like
Go's crypto/tls a full handshake per connection); its own overhead is in every mode.

  bench/tls_latency.py BUILD_DIR [--calls N]      e.g. bench/tls_latency.py build --calls 500
"""
import argparse
import http.client
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, flags):
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--listen", f"127.0.0.1:{port}", "--log-level", "warning",
         "--cluster-file", os.path.join(ROOT, "demo", "cluster.json")] + flags,
        stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("server did not start")


def call(port, context, body):
    conn = (http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
            if context else http.client.HTTPConnection("127.0.0.1", port, timeout=5))
    began = time.perf_counter()
    conn.request("POST", "/filter", body, {"Content-Type": "application/json"})
    reply = conn.getresponse()
    reply.read()
    took = time.perf_counter() - began
    conn.close()
    if reply.status != 200:
        sys.exit(f"HTTP {reply.status}")
    return took * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    binary = os.path.join(args.build_dir, "scheduler", "epc-extender")
    with open(os.path.join(ROOT, "demo", "filter-request.json"), "rb") as f:
        body = f.read()
    with tempfile.TemporaryDirectory() as certs:
        subprocess.run(["sh", os.path.join(ROOT, "test", "http", "make_test_certs.sh"), certs],
                       check=True)
        c = lambda name: os.path.join(certs, name)
        tls = ["--tls-cert-file", c("server.crt"), "--tls-private-key-file", c("server.key")]
        server_only = ssl.create_default_context(cafile=c("ca.crt"))
        mutual = ssl.create_default_context(cafile=c("ca.crt"))
        mutual.load_cert_chain(c("client.crt"), c("client.key"))
        modes = {
            "http": (start(binary, []), None),
            "https": (start(binary, tls), server_only),
            "mtls": (start(binary, tls + ["--client-ca-file", c("ca.crt")]), mutual),
        }
        try:
            samples = {name: [] for name in modes}
            for i in range(args.calls + 50):
                for name, ((_, port), context) in modes.items():
                    took = call(port, context, body)
                    if i >= 50:  # warm-up
                        samples[name].append(took)
            print(f"filter on a new connection, {args.calls} calls per mode, ms")
            print("mode    p50     p90     p99     mean")
            for name, values in samples.items():
                q = statistics.quantiles(values, n=100)
                print(f"{name:6} {q[49]:6.2f}  {q[89]:6.2f}  {q[98]:6.2f}  "
                      f"{statistics.fmean(values):6.2f}")
        finally:
            for (proc, _), _ in modes.values():
                proc.terminate()
                proc.wait(10)


if __name__ == "__main__":
    main()
