"""Helm as the chart tests run it: the values go in a temporary file (JSON is YAML, so any values dict is written
as JSON), every call is bounded in time, and the CompletedProcess comes back for the caller to judge."""

import json
import subprocess
import tempfile

HELM_TIMEOUT_S = 60


def run_helm(helm, *args, values=None):
    """Runs `helm *args -f <values>`; returns the CompletedProcess (output captured as text)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        json.dump(values or {}, f)
        f.flush()
        return subprocess.run([helm, *args, "-f", f.name], capture_output=True, text=True,
                              timeout=HELM_TIMEOUT_S, check=False)
