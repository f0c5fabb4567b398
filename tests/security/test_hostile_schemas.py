"""Issues 10.2 and 10.3: an input schema reaches nothing outside itself and runs in linear time.

A real loopback HTTP server counts the requests a schema could make; a real file
holds a secret a ``file://`` ref could read. Saving refuses both; checking input
against a schema stored without the save-time check (built here directly) still
fetches nothing. Catastrophic patterns are matched by RE2 or refused at save.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wfbench.validation import validate
from wfbench.validation.formats import FORMATS
from wfbench.validation.schemas import schema_errors, schema_problems

from .conftest import hang_guard

SECRET = "TOP-SECRET-42"


def workflow(schema: dict[str, Any], sample: Any = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "wfbench/v1",
        "name": "Hostile schema",
        "type": "manual",
        "run_as": "read_only",
        "trigger": {"input_schema": schema},
        "steps": [
            {"id": "hello", "kind": "action", "action": "core.log", "with": {"message": "hi"}}
        ],
    }
    if sample is not None:
        doc["trigger"]["sample_input"] = sample
    return doc


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b'{"type": "string"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/schema+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/schema.json", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.json"
    path.write_text('{"const": "' + SECRET + '"}')
    return path


def remote_schemas(url: str, secret: Path) -> list[dict[str, Any]]:
    return [
        {"type": "object", "properties": {"email": {"$ref": url}}},
        {"type": "object", "properties": {"email": {"$ref": secret.as_uri()}}},
        {"type": "object", "properties": {"email": {"$dynamicRef": url}}},
        {
            "type": "object",
            "$id": url,
            "properties": {"email": {"$ref": "#/$defs/e"}},
            "$defs": {"e": {"type": "string"}},
        },
        {"type": "object", "properties": {"email": {"$ref": "schema.json"}}, "$id": url},
        {"type": "object", "properties": {"email": {"allOf": [{"$ref": str(secret)}]}}},
        {"type": "object", "$defs": {"x": {"$ref": url}}},
    ]


def test_remote_and_file_refs_are_refused_at_save(
    server: tuple[str, list[str]], secret_file: Path
) -> None:
    url, hits = server
    for schema in remote_schemas(url, secret_file):
        report = validate(workflow(schema, {"email": "a@example.com"}))
        codes = {issue.code for issue in report.issues}
        assert "schema.ref" in codes, schema
        assert all(SECRET not in issue.message for issue in report.issues)
    assert hits == []


def test_input_checks_never_retrieve_even_for_a_schema_stored_before(
    server: tuple[str, list[str]], secret_file: Path
) -> None:
    url, hits = server
    for schema in remote_schemas(url, secret_file):
        with hang_guard(10):
            errors = schema_errors(schema, {"email": "not-" + SECRET[:3]})
        assert all(SECRET not in e.message for e in errors)
    assert hits == [], "a schema made a request while input was checked"


def test_a_ref_to_an_address_that_never_answers_does_not_block(secret_file: Path) -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/never"
        with hang_guard(10):
            errors = schema_errors({"$ref": url}, {})
        assert errors and "never fetched" in errors[0].message
    finally:
        listener.close()


def test_local_refs_still_work() -> None:
    schema = {
        "type": "object",
        "properties": {"email": {"$ref": "#/$defs/email"}},
        "$defs": {"email": {"type": "string", "format": "email"}},
    }
    assert not [
        i
        for i in validate(workflow(schema, {"email": "a@b"})).issues
        if i.code.startswith("schema")
    ]
    assert schema_errors(schema, {"email": 3})
    assert not schema_errors(schema, {"email": "a@b"})


def test_a_dangling_local_ref_is_refused_at_save() -> None:
    report = validate(workflow({"type": "object", "properties": {"a": {"$ref": "#/$defs/no"}}}))
    assert [i.code for i in report.issues if i.code.startswith("schema")] == ["schema.ref"]


CATASTROPHIC = ["^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "^(\\w|\\d)+$", "^(.*a){20}$", "(x+x+)+y"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_run_in_linear_time(pattern: str) -> None:
    """Issue 10.3: 26 a's and a '!' took 6 s with Python's re; RE2 has no backtracking."""
    schema = {"type": "object", "properties": {"s": {"type": "string", "pattern": pattern}}}
    assert not [i for i in validate(workflow(schema)).issues if i.severity == "error"]
    with hang_guard(10):
        for size in (26, 1_000, 100_000):
            schema_errors(schema, {"s": "a" * size + "!"})
            schema_errors(
                {"type": "object", "patternProperties": {pattern: {}}}, {"a" * size + "!": 1}
            )


@pytest.mark.parametrize("pattern", ["(a)\\1", "(?=a)a", "(?<!a)b", "a{1000}{1000}{1000}"])
def test_patterns_re2_cannot_run_are_refused_at_save(pattern: str) -> None:
    schema = {
        "type": "object",
        "properties": {"s": {"type": "string", "pattern": pattern}},
        "patternProperties": {pattern: {}},
    }
    report = validate(workflow(schema))
    found = [i for i in report.issues if i.code == "schema.pattern"]
    assert len(found) == 2
    assert "linear time" in found[0].message
    assert schema_problems(schema)
    # A schema stored before the check: a problem of the input, never a slow match.
    assert schema_errors(schema, {"s": "a"})


LINEAR_FORMATS = sorted(FORMATS.checkers)
HOSTILE_TEXT = [
    "a" * 50_000 + "!",
    "é" * 20_000,
    "(" * 20_000,
    "a-" * 20_000 + "!",
    "1." * 20_000,
    "{" * 20_000,
    "P" + "1" * 20_000 + "!",
    "%41" * 10_000,
    "::" * 20_000,
    "[" * 20_000,
    "http://" + "a." * 20_000 + "!",
]


def test_only_linear_format_checkers_are_loaded() -> None:
    assert "iri" in LINEAR_FORMATS and "regex" in LINEAR_FORMATS
    for name in LINEAR_FORMATS:
        checker = FORMATS.checkers[name][0]
        assert not getattr(checker, "__module__", "").startswith("rfc3987_syntax"), name


@pytest.mark.parametrize("name", LINEAR_FORMATS)
def test_every_format_check_is_bounded(name: str) -> None:
    with hang_guard(10):
        for text in HOSTILE_TEXT:
            FORMATS.conforms(text, name)


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("uri", "https://example.com/a?b=c#d", "no scheme"),
        ("iri", "https://exämple.com/ä", "ä b"),
        ("uri-reference", "../a/b?c", "a b"),
        ("uri-template", "https://x/{user}{?q,page*}", "https://x/{user"),
        ("duration", "P1Y2M3DT4H5M6S", "P1H"),
        ("regex", "^a+$", "(a)\\1"),
        ("hostname", "example.com", "a" * 300),
        ("email", "a@example.com", "nobody"),
        ("date-time", "2024-05-06T07:08:09Z", "2024-05-06 07:08"),
        ("uuid", "12345678-1234-1234-1234-123456789abc", "1234"),
    ],
)
def test_format_checks_still_check(name: str, good: str, bad: str) -> None:
    assert FORMATS.conforms(good, name)
    assert not FORMATS.conforms(bad, name)


@pytest.mark.slow
def test_pattern_cost_grows_linearly_not_exponentially() -> None:
    """Each 10x more input costs about 10x more, never 3x per character."""
    schema = {"type": "string", "pattern": "^(a+)+$"}

    def cost(size: int) -> float:
        """CPU seconds (this process's time: a loaded machine does not stretch it)."""
        start = time.process_time()
        for _ in range(5):
            schema_errors(schema, "a" * size + "!")
        return time.process_time() - start

    cost(1000)
    assert cost(400_000) < 1000 * max(cost(4_000), 1e-4)


LOOPS = [
    {"$ref": "#"},
    {"anyOf": [{"type": "string"}, {"$ref": "#"}]},
    {"$defs": {"x": {"$ref": "#/$defs/y"}, "y": {"$ref": "#/$defs/x"}}, "$ref": "#/$defs/x"},
    {
        "$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"not": {"$ref": "#/$defs/a"}}},
        "properties": {"x": {"$ref": "#/$defs/a"}},
    },
]


@pytest.mark.parametrize("schema", LOOPS)
def test_ref_loops_are_refused_at_save_and_never_crash_a_start(schema: dict[str, Any]) -> None:
    """Found by this corpus: a $ref loop raised RecursionError out of the input check."""
    report = validate(workflow({"type": "object", **schema}))
    assert "schema.ref" in {i.code for i in report.issues}
    with hang_guard(10):
        errors = schema_errors(schema, {"x": {}})
    assert errors and "without end" in errors[0].message


def test_recursive_schemas_that_descend_are_fine() -> None:
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            }
        },
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/node"}},
    }
    assert not [i for i in validate(workflow(tree)).issues if i.severity == "error"]
    assert not schema_errors(tree, {"root": {"kids": [{"kids": []}]}})
    assert schema_errors(tree, {"root": {"kids": [3]}})


def test_unique_items_is_linear_and_keeps_json_equality() -> None:
    """Found by this corpus: jsonschema compares every pair (10,000 objects: minutes)."""
    schema = {"type": "array", "uniqueItems": True}
    with hang_guard(10):
        assert not schema_errors(schema, [{"k": i, "v": [i, str(i)]} for i in range(20_000)])
        assert schema_errors(schema, [{"k": i} for i in range(20_000)] + [{"k": 7.0}])
    assert not schema_errors(schema, [1, True, "1", [1], {"a": 1}])
    assert schema_errors(schema, [{"a": [1.0], "b": 2}, {"b": 2, "a": [1]}])


@pytest.mark.parametrize("depth", [30, 100, 450])
def test_deep_schemas_are_an_issue_not_a_recursion_error(depth: int) -> None:
    """Found by this corpus: a schema 100 levels deep raised RecursionError out of validate."""
    schema: dict[str, Any] = {"type": "object"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    report = validate(workflow(schema))
    (issue,) = report.issues  # the schema's bound, or the whole document's past 160
    assert issue.code in ("schema.invalid", "workflow.invalid") and "levels deep" in issue.message


@pytest.mark.parametrize("depth", [200, 900])
def test_deep_definition_values_are_an_issue_not_a_recursion_error(depth: int) -> None:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    doc = workflow({"type": "object"})
    doc["steps"][0] = {
        "id": "hello",
        "kind": "action",
        "action": "core.set",
        "with": {"value": value},
    }
    report = validate(doc)
    assert [i.code for i in report.issues] == ["workflow.invalid"]
