"""Cheap check that the Dockerfile's build stage can build: without a container engine, it lays out exactly what
the build stage's COPY lines put in the image (the repository's files, filtered by .dockerignore the way Docker
and buildah filter the build context), then runs the same CMake configure with the same -D flags and a
`ninja -n` dry run of the same target, and checks every quoted #include resolves inside that copy.

It fails when CMakeLists.txt starts using a folder the image build does not get (an add_subdirectory, an
include(), a source or header), the failure `docker build` would only show minutes later. It takes seconds and
runs in CTest; test/image/image_test.py builds and runs the real image (dev/test runs it).

Usage: dockerfile_build_test.py [unittest args]
Environment: EPC_DOCKERFILE / EPC_DOCKERIGNORE check other files than the repository's (e.g. an old Dockerfile:
  git show HEAD~1:Dockerfile > /tmp/Dockerfile.old; EPC_DOCKERFILE=/tmp/Dockerfile.old dockerfile_build_test.py)
"""

import os
import posixpath
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCKERFILE = os.environ.get("EPC_DOCKERFILE", os.path.join(REPO, "Dockerfile"))
DOCKERIGNORE = os.environ.get("EPC_DOCKERIGNORE", os.path.join(REPO, ".dockerignore"))


def instructions(text):
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    result, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if current and line.lstrip().startswith("#"):  # a comment inside a continued instruction
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        keyword, _, args = current.strip().partition(" ")
        result.append((keyword.upper(), args.strip()))
        current = ""
    return result


def build_stage(text):
    """Instructions of the stage named `build` (FROM ... AS build), up to the next FROM."""
    stage, inside = [], False
    for keyword, args in instructions(text):
        if keyword == "FROM":
            inside = bool(re.search(r"\s+AS\s+build$", args, re.I))
            continue
        if inside:
            stage.append((keyword, args))
    return stage


def ignore_patterns(path):
    """.dockerignore as (regex, excludes) pairs, in file order (Docker: the last matching pattern decides)."""
    patterns = []
    if not os.path.exists(path):
        return patterns
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            exclude = not line.startswith("!")
            line = posixpath.normpath(line.lstrip("!").strip()).lstrip("/")
            patterns.append((re.compile(glob_regex(line)), exclude))
    return patterns


def glob_regex(pattern):
    """Docker's (moby patternmatcher) pattern syntax: ** any number of path segments, * and ? within one."""
    out, i = "^", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out, i = out + "(.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif c == "*":
            out, i = out + "[^/]*", i + 1
        elif c == "?":
            out, i = out + "[^/]", i + 1
        elif c == "[":
            end = pattern.find("]", i)
            out, i = (out + pattern[i:end + 1], end + 1) if end > 0 else (out + r"\[", i + 1)
        elif c == "\\" and i + 1 < len(pattern):
            out, i = out + re.escape(pattern[i + 1]), i + 2
        else:
            out, i = out + re.escape(c), i + 1
    return out + "$"


def excluded(relpath, patterns):
    """Docker excludes a file when a pattern matches it or one of its parent folders."""
    parts = relpath.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for regex, exclude in patterns:
        if any(regex.match(p) for p in prefixes):
            result = exclude
    return result


def repository_files(patterns):
    """What a fresh checkout has: tracked files plus new ones not ignored by git (a folder added but not yet
    committed counts; build trees and caches do not). Without git (a source tarball), every file."""
    listed = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=False, timeout=60)
    if listed.returncode == 0:
        return sorted(p for p in set(listed.stdout.split("\0")) if p and os.path.isfile(os.path.join(REPO, p)))
    files = []
    for folder, dirs, names in os.walk(REPO):
        rel = os.path.relpath(folder, REPO)
        rel = "" if rel == "." else rel + "/"
        dirs[:] = [d for d in dirs if not excluded(rel + d, patterns)]  # skip build trees without reading them
        files += [rel + n for n in names]
    return sorted(files)


def project_version():
    with open(os.path.join(REPO, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"^project\(epc-extender VERSION ([0-9.]+)", f.read(), re.M).group(1)


class DockerfileBuildStageTest(unittest.TestCase):
    """The build stage configures and builds from exactly the files it copies."""

    @classmethod
    def setUpClass(cls):
        with open(DOCKERFILE, encoding="utf-8") as f:
            cls.dockerfile = f.read()
        cls.stage = build_stage(cls.dockerfile)
        cls.tmp = tempfile.TemporaryDirectory(prefix="epc-dockerfile-")
        cls.root = cls.tmp.name
        patterns = ignore_patterns(DOCKERIGNORE)
        cls.context = [p for p in repository_files(patterns) if not excluded(p, patterns)]
        cls.workdir = cls.lay_out_copies()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def lay_out_copies(cls):
        """Replays the build stage's WORKDIR and COPY lines into the temp dir; returns the last WORKDIR."""
        workdir = "/"
        for keyword, args in cls.stage:
            if keyword == "WORKDIR":
                workdir = posixpath.join(workdir, args)
            elif keyword in ("COPY", "ADD"):
                if any(w.startswith("--from") for w in shlex.split(args)):
                    continue  # from another stage, not from the build context
                words = [w for w in shlex.split(args) if not w.startswith("--")]
                *sources, dest = words
                dest = posixpath.join(workdir, dest)
                for source in sources:
                    cls.copy(posixpath.normpath(source), dest, dest.endswith("/") or len(sources) > 1)
        return workdir

    @classmethod
    def copy(cls, source, dest, dest_is_dir):
        """COPY semantics: a folder's contents go into dest; a file goes to dest, or into it if dest is a dir."""
        source = "" if source == "." else source
        matched = [p for p in cls.context if source == "" or p == source or p.startswith(source + "/")]
        if not matched:
            raise AssertionError(f"COPY {source or '.'}: nothing in the build context (missing or .dockerignored)")
        for path in matched:
            if path == source:  # a single file
                target = posixpath.join(dest, posixpath.basename(path)) if dest_is_dir else dest
            else:
                target = posixpath.join(dest, path[len(source):].lstrip("/"))
            target = os.path.join(cls.root, target.lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(REPO, path), target)

    def cmake_command(self):
        """The build stage's `cmake -S . -B DIR ...` words and the ninja targets after it."""
        for keyword, args in self.stage:
            if keyword == "RUN" and "cmake -S" in args:
                configure = re.search(r"cmake\s+(-S[^&|;]*)", args).group(1)
                targets = re.search(r"ninja\s+-C\s+\S+(?:\s+\$\{[^}]*\})?((?:\s+[\w.-]+)+)", args).group(1).split()
                return shlex.split(configure), targets
        self.fail("no RUN cmake -S ... in the build stage")

    def source_dir(self):
        return os.path.join(self.root, self.workdir.lstrip("/"))

    def test_configure_and_dry_run_build_from_the_copied_files(self):
        words, targets = self.cmake_command()
        self.assertIn("epc-extender", targets)
        # Keep the stage's own flags (-G, -D...); only the source and build dirs move into the temp dir.
        flags, skip = [], False
        for i, w in enumerate(words):
            if skip:
                skip = False
            elif w in ("-S", "-B"):
                skip = True
            elif not w.startswith(("-S", "-B")):
                flags.append(w)
        self.assertIn("-DEPC_BUILD_TESTS=OFF", flags)
        build = os.path.join(self.root, "build-dir")
        configure = subprocess.run(["cmake", "-S", self.source_dir(), "-B", build, *flags],
                                   capture_output=True, text=True, timeout=120, check=False)
        self.assertEqual(configure.returncode, 0,
                         "the build stage's cmake configure fails on the files its COPY lines bring in "
                         "(add the folder to the build context / drop it from .dockerignore):\n"
                         + configure.stdout[-3000:] + configure.stderr[-3000:])
        dry = subprocess.run(["ninja", "-C", build, "-n", *targets], capture_output=True, text=True,
                             timeout=120, check=False)
        self.assertEqual(dry.returncode, 0, dry.stdout[-3000:] + dry.stderr[-3000:])

    def test_every_quoted_include_is_in_the_copy(self):
        # CMake only sees sources; a header-only folder missing from the context shows up here instead.
        src, missing = self.source_dir(), []
        self.assertTrue(os.path.isfile(os.path.join(src, "CMakeLists.txt")),
                        "the build stage does not COPY CMakeLists.txt")
        for folder, _, files in os.walk(src):
            for name in files:
                if not name.endswith((".cc", ".cpp", ".h", ".hpp")):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for include in re.findall(r'^\s*#\s*include\s+"([^"]+)"', f.read(), re.M):
                        if not (os.path.exists(os.path.join(src, include))
                                or os.path.exists(os.path.join(folder, include))):
                            missing.append(f"{os.path.relpath(path, src)}: {include}")
        self.assertEqual(missing, [], "headers the image build would not have")

    def test_no_test_or_build_tree_goes_into_the_context(self):
        # The context stays small (no build trees of several GB) and holds no test data or charts.
        for path in self.context:
            top = path.split("/")[0]
            self.assertFalse(top.startswith("build") or top in ("test", "charts", ".git"), path)

    def test_default_version_arg_is_the_project_version(self):
        # docker build without --build-arg labels the image with this default; the build stage also refuses a
        # VERSION the binary does not report, so a stale default fails the build, and this test says so sooner.
        default = re.search(r"^ARG VERSION=(\S+)", self.dockerfile, re.M)
        self.assertIsNotNone(default, "the Dockerfile has no ARG VERSION=<default>")
        self.assertEqual(default.group(1), project_version(), "update ARG VERSION in the Dockerfile")


if __name__ == "__main__":
    unittest.main(verbosity=2)
