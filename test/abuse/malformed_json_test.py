#!/usr/bin/env python3
"""Bodies that are not the JSON the protocol expects.

Invalid syntax (invalid UTF-8 in a string, NUL bytes, 100000 '[' deep, truncated text, a bare
number) must get HTTP 400 with an {"Error": ...} body, as test/http/http_server_test.cc's
InvalidJsonIs400 does. Valid JSON with the wrong shape (each field of ExtenderArgs given every
wrong type, duplicated keys, huge number literals, a 50 MB string) may be refused (400 + Error) or
judged (200 with the protocol's reply; a filter the extender cannot judge says so in its Error
field); never a 5xx, never a crash, and the books stay as they were.

Usage: malformed_json_test.py EPC_EXTENDER_BINARY
"""

import copy
import json
import time

import abuse_support as support

WRONG_VALUES = [1, -1.5, "x", True, None, [], {}, [1, 2], {"a": 1}]
VERBS = ("/filter", "/prioritize", "/bind", "/preempt")

FIELD_PATHS = [
    ("Pod",), ("Pod", "metadata"), ("Pod", "metadata", "name"), ("Pod", "metadata", "namespace"),
    ("Pod", "metadata", "uid"), ("Pod", "spec"), ("Pod", "spec", "containers"),
    ("Pod", "spec", "containers", 0), ("Pod", "spec", "containers", 0, "resources"),
    ("Pod", "spec", "containers", 0, "resources", "requests"),
    ("Pod", "spec", "containers", 0, "resources", "requests", "sgx.intel.com/epc"),
    ("Pod", "spec", "containers", 0, "resources", "limits"),
    ("Pod", "spec", "priority"), ("Pod", "spec", "overhead"), ("Pod", "spec", "initContainers"),
    ("Pod", "status"), ("Nodes",), ("NodeNames",), ("NodeNames", 0),
]


def with_value(document, path, value):
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def invalid_syntax_bodies():
    text = support.FILTER_BODY
    return {
        "invalid UTF-8 in a string": text.replace(b'"enclave-web-0"', b'"enclave-\xff\xfe-0"'),
        "overlong UTF-8": text.replace(b'"enclave-web-0"', b'"enclave-\xc0\xaf-0"'),
        "lone surrogate escape is not invalid JSON, raw surrogate bytes are":
            text.replace(b'"enclave-web-0"', b'"enclave-\xed\xa0\x80-0"'),
        "NUL byte inside a string": text.replace(b'"enclave-web-0"', b'"enclave-\x00-0"'),
        "NUL byte between tokens": text.replace(b'"Nodes"', b'\x00"Nodes"'),
        "100000 nested arrays": b"[" * 100000 + b"]" * 100000,
        "100000 unclosed arrays": b"[" * 100000,
        "100000 nested objects": b'{"a":' * 100000 + b"1" + b"}" * 100000,
        "truncated": text[: len(text) // 2],
        "trailing garbage": text + b"}}}",
        "bare number": b"12345",
        "not JSON": b"<xml/>",
        "only whitespace": b"   \n\t  ",
    }


def shape_bodies():
    document = json.loads(support.FILTER_BODY)
    bodies = {}
    for path in FIELD_PATHS:
        for value in WRONG_VALUES:
            bodies[f"{'.'.join(map(str, path))}={json.dumps(value)}"] = json.dumps(
                with_value(document, path, value)).encode()
    pod = json.dumps(document["Pod"]).encode()
    bodies["duplicated Pod key"] = b'{"Pod": ' + pod + b', "Pod": {"metadata": {}}, "NodeNames": ' \
        + json.dumps(document["NodeNames"]).encode() + b', "Nodes": null}'
    bodies["duplicated epc request"] = support.FILTER_BODY.replace(
        b'"sgx.intel.com/epc": "6Gi"\n      },\n      "limits"',
        b'"sgx.intel.com/epc": "6Gi", "sgx.intel.com/epc": "1Ti"\n      },\n      "limits"')
    bodies["huge integer priority"] = json.dumps(
        with_value(document, ("Pod", "spec", "priority"), 0)).encode().replace(
        b'"priority": 0', b'"priority": ' + b"9" * 5000)
    bodies["huge exponent priority"] = json.dumps(
        with_value(document, ("Pod", "spec", "priority"), 0)).encode().replace(
        b'"priority": 0', b'"priority": 1e999999')
    bodies["huge epc quantity"] = json.dumps(with_value(
        document, ("Pod", "spec", "containers", 0, "resources", "requests", "sgx.intel.com/epc"),
        "9" * 400 + "Ei")).encode()
    bodies["top-level array"] = b"[" + support.FILTER_BODY + b"]"
    return bodies


class MalformedJsonTest(support.ServerTestCase):
    def post_checked(self, name, path, body, timeout=10):
        """Posts, checks the reply is never 5xx and always JSON; returns the reply."""
        try:
            response = support.post(self.port, path, body, timeout=timeout)
        except OSError as error:
            self.fail(f"{name} on {path}: {error!r}; server alive={self.server.alive()}\n"
                      + self.server.log_tail())
        self.assertLess(response.status, 500, f"{name} on {path}: {response!r}")
        self.assertIn(response.status, (200, 400), f"{name} on {path}: {response!r}")
        try:
            reply = response.json()
        except ValueError:
            self.fail(f"{name} on {path}: reply is not JSON: {response!r}")
        if response.status == 400:
            self.assertIsInstance(reply, dict, f"{name}: {response!r}")
            self.assertTrue(reply.get("Error"), f"{name} on {path}: 400 without Error")
        return response, reply

    def test_invalid_json_is_400_with_an_error_body_on_every_verb(self):
        for name, body in invalid_syntax_bodies().items():
            for path in VERBS:
                with self.subTest(case=name, verb=path):
                    response, _ = self.post_checked(name, path, body)
                    self.assertEqual(response.status, 400, f"{name} on {path}: {response!r}")
            self.assertTrue(self.server.alive(), f"died on {name}")
        self.assert_still_serving("after invalid JSON")

    def test_wrong_shapes_are_refused_or_judged_never_5xx(self):
        outcomes = {"400": 0, "200 with Error": 0, "200 judged": 0}
        for name, body in shape_bodies().items():
            with self.subTest(case=name):
                response, reply = self.post_checked(name, "/filter", body)
                if response.status == 400:
                    outcomes["400"] += 1
                    continue
                self.assertIsInstance(reply, dict, f"{name}: {response!r}")
                self.assertIn("Error", reply, f"{name}: {response!r}")
                outcomes["200 with Error" if reply["Error"] else "200 judged"] += 1
        # The same bodies on the other verbs, checked only for never-5xx and JSON.
        for name, body in list(shape_bodies().items())[::7]:
            for path in VERBS[1:]:
                if path == "/bind":
                    continue  # a judged bind commits EPC; bind shapes are below
                with self.subTest(case=name, verb=path):
                    self.post_checked(name, path, body)
        support.report("malformed JSON shapes on /filter",
                       **{key.replace(" ", "_"): value for key, value in outcomes.items()})
        self.assert_still_serving("after wrong shapes")

    def test_wrong_bind_shapes_never_commit_or_5xx(self):
        bind = json.loads(support.BIND_BODY)
        # Strings are the right type (a bind of another name is a real bind), and a null PodUID is
        # accepted as "no UID" (the pod is found by namespace and name), so neither is here.
        wrong = [value for value in WRONG_VALUES if not isinstance(value, str)]
        for field in ("PodName", "PodNamespace", "PodUID", "Node"):
            for value in wrong:
                if field == "PodUID" and value is None:
                    continue
                with self.subTest(field=field, value=value):
                    body = json.dumps(dict(bind, **{field: value})).encode()
                    response, reply = self.post_checked(field, "/bind", body)
                    if response.status == 200:
                        self.assertTrue(reply.get("Error"), f"bind {field}={value!r}: {reply}")
        self.assert_still_serving("after wrong bind shapes")

    def test_a_50_mb_string_value_is_handled_and_memory_returns(self):
        document = json.loads(support.FILTER_BODY)
        document["Pod"]["metadata"]["annotations"] = {"big": "a" * (50 * 1000 * 1000)}
        body = json.dumps(document).encode()
        rss_before = self.server.rss_bytes()
        started = time.monotonic()
        response, reply = self.post_checked("50 MB string", "/filter", body, timeout=60)
        took = time.monotonic() - started
        rss_after = self.server.rss_bytes()
        support.report("50 MB string value", status=response.status, seconds=f"{took:.2f}",
                       error=repr(reply.get("Error", ""))[:80],
                       rss_before_mib=f"{rss_before / support.MiB:.1f}",
                       rss_after_mib=f"{rss_after / support.MiB:.1f}")
        if response.status == 200:
            self.assertEqual(response.body, self.expected_filter)
        self.assert_still_serving("after a 50 MB string")

    def test_large_valid_bodies_are_read_well_within_the_extender_timeout(self):
        """Nodes mode sends full Node objects: tens of MB for a large cluster. Reading must not be
        what makes kube-scheduler's 5 s extender timeout expire."""
        document = json.loads(support.FILTER_BODY)
        for megabytes in (1, 4, 16):
            document["Pod"]["metadata"]["annotations"] = {"big": "a" * (megabytes * support.MiB)}
            body = json.dumps(document).encode()
            started = time.monotonic()
            response, _ = self.post_checked(f"{megabytes} MiB body", "/filter", body, timeout=60)
            took = time.monotonic() - started
            support.report("large body", mib=megabytes, status=response.status,
                           seconds=f"{took:.2f}", mib_per_s=f"{megabytes / took:.1f}")
            self.assertEqual(response.body, self.expected_filter)
            self.assertLess(took, support.GOOD_TIMEOUT, f"{megabytes} MiB took {took:.1f} s")


if __name__ == "__main__":
    support.main()
