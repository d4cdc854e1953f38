"""Checks the Dockerfile's runtime stage against the built binary: every shared library the binary needs
(readelf NEEDED) must come from a package that stage installs or that debian:bookworm-slim already has, so an
image built from it starts. Cheap (no container engine): image_test.py runs the real image, in dev/test.

Usage: dockerfile_test.py EPC_EXTENDER_BINARY [unittest args]
"""

import os
import re
import subprocess
import sys
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EPC_BINARY = ""


class DockerRuntimeLibsTest(unittest.TestCase):
    """The runtime stage installs a package for every shared library the built binary needs."""

    BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}  # essential in debian:bookworm-slim

    @staticmethod
    def owning_package(path):
        # Debian 12 is usr-merged: dpkg may have recorded /lib/... for a file found under /usr/lib/... or back.
        real = os.path.realpath(path)
        candidates = [path, real]
        for p in (path, real):
            candidates.append(p[len("/usr"):] if p.startswith("/usr/") else "/usr" + p)
        for candidate in candidates:
            result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False,
                                    timeout=30)
            if result.returncode == 0:
                return result.stdout.split(":")[0]
        return None

    def test_runtime_packages_cover_every_needed_library(self):
        with open(os.path.join(REPO, "Dockerfile"), encoding="utf-8") as f:
            runtime = f.read().split("FROM debian:bookworm-slim", 1)[1]
        install = re.search(r"apt-get install[^\n]*\\\n((?:[^\n]*\\\n)*)", runtime).group(1)
        installed = set(re.findall(r"\b(lib[a-z0-9.+-]+)", install)) | self.BASE_IMAGE_PACKAGES
        dynamic = subprocess.run(["readelf", "-d", EPC_BINARY], capture_output=True, text=True, check=True,
                                 timeout=30).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
        self.assertIn("libc.so.6", needed)
        cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True,
                               timeout=30).stdout
        missing = []
        for library in needed:
            path = re.search(rf"^\s*{re.escape(library)} \(libc6,x86-64[^)]*\) => (\S+)$", cache, re.M)
            self.assertIsNotNone(path, f"{library} is not in the linker cache")
            owner = self.owning_package(path.group(1))
            self.assertIsNotNone(owner, f"no package owns {path.group(1)}")
            if owner not in installed:
                missing.append(f"{library} (package {owner})")
        self.assertEqual(missing, [], "add these to the Dockerfile's runtime stage")


def main():
    global EPC_BINARY
    if len(sys.argv) < 2:
        sys.exit("usage: dockerfile_test.py EPC_EXTENDER_BINARY [unittest args]")
    EPC_BINARY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
