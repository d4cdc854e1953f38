"""The pieces every Python test and benchmark of the binary against the fake API server needs:
JSON calls, the fake API server and epc-extender as child processes on loopback, a kubeconfig
pointing one at the other, and a stop that never blocks on a pipe.

Used by test/kube/stale_view_test.py, bench/recheck_cost.py and bench/e2e.py.
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def call(url, body=None, timeout=30):
    """GET `url`, or POST `body` as JSON; (status, text)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


def start_fake_apiserver(max_seconds=600):
    """test/fake_apiserver on a free loopback port: (process, base URL)."""
    api = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "test/fake_apiserver/fake_apiserver.py"),
         "--port", "0", "--exit-on-stdin-eof", "--max-seconds", str(max_seconds)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = "http://127.0.0.1:%d" % int(api.stdout.readline().split()[1])
    api.stdout.close()
    return api, url


def write_kubeconfig(directory, api_url):
    path = os.path.join(directory, "kubeconfig")
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: Config\nclusters: [{name: f, cluster: {server: '%s'}}]\n"
                "users: [{name: u, user: {token: t}}]\n"
                "contexts: [{name: c, context: {cluster: f, user: u}}]\n"
                "current-context: c\n" % api_url)
    return path


def start_extender(binary, kubeconfig, *flags, ready_within=60):
    """`epc-extender serve` against `kubeconfig` on a free loopback port, once /readyz says so:
    (process, base URL). Its log is drained so that a full pipe never blocks it."""
    proc = subprocess.Popen(
        [binary, "serve", "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0", *flags],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = None
    for line in proc.stderr:  # the "listening on" line carries the URL
        if "listening on" in line:
            url = json.loads(line)["url"].rstrip("/")
            break
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    if url is None:
        raise RuntimeError("epc-extender exited before listening")
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        try:
            if call(url + "/readyz")[0] == 200:
                return proc, url
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("epc-extender at %s never became ready" % url)


def stop(procs):
    """Terminates `procs`, then closes their pipes: closing a pipe another thread reads blocks."""
    for proc in reversed(procs):
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    for proc in procs:
        for pipe in (proc.stdin, proc.stderr):
            if pipe:
                pipe.close()
