"""Issue 10.1: every expression function and operator is bounded; the sandbox holds.

Each case is one ``core.set`` step whose value is ``{{ expr }}``, validated (save) and run
in a worker subprocess with a hard 5 s deadline: a hang fails the case instead of the
suite. A case passes when it was refused at save with an issue, or ran and ended
``succeeded`` or ``failed`` with a clear step error, within the deadline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Worker, assert_finished_cleanly, expression_doc, set_step, workflow

HUGE = "10**5000"  # an integer the Python API lets a caller pass as input


def _case(expr: str, input_py: str = "{}", xfail: str = "") -> Any:
    if not xfail and (HUGE in input_py or "deep(" in input_py):
        xfail = "issue 10.10: an unstorable input (a huge integer, deep nesting) passed to "
        xfail += "Workbench.run crashes the run with ValueError/RecursionError"
        marks = [pytest.mark.xfail(strict=True, reason=xfail)]
    else:
        marks = [pytest.mark.xfail(strict=True, reason=f"issue 10.1: {xfail}")] if xfail else []
    return pytest.param(expr, input_py, marks=marks, id=f"{expr} <- {input_py}"[:90])


SIZE_CASES = [
    # round: the digits argument is the amplifier (10**-d is computed for an int)
    _case("round(1, -10**9)", xfail="round(int, -10**9) computes 10**1e9 holding the GIL"),
    pytest.param(
        "round(1, -999999999)",
        "{}",
        marks=[
            pytest.mark.slow,
            pytest.mark.xfail(strict=True, reason="issue 10.1: round(1, -999999999) hangs"),
        ],
        id="round(1, -999999999) <- {}",
    ),
    _case("round(a, b)", "{'a': 1, 'b': -10**9}", xfail="digits from the input: same hang"),
    _case("round(1.5, -10**9)"),
    _case("round(1, 10**9)"),
    _case("round(a)", "{'a': 1e308}"),
    _case("round(a, -1)", f"{{'a': {HUGE}}}"),
    # int / float / str on huge or odd values
    _case("int(a)", "{'a': '9' * 5000}"),
    _case("int(a)", "{'a': 1e308}"),
    _case("int(a)", f"{{'a': {HUGE}}}"),
    _case("float(a)", "{'a': '1' * 100000}"),
    _case("float(a)", f"{{'a': {HUGE}}}"),
    _case("str(a)", f"{{'a': {HUGE}}}"),
    _case("str(a)", "{'a': deep(50000)}"),
    _case("abs(a)", f"{{'a': -{HUGE}}}"),
    _case("int(float(a))", "{'a': '1e999'}"),
    # operators with huge operands
    _case("a * 2", f"{{'a': {HUGE}}}"),
    _case("a + 1", f"{{'a': {HUGE}}}"),
    _case("a ** 2", f"{{'a': {HUGE}}}"),
    _case("2 ** a", "{'a': 10**9}"),
    _case("a ** b", "{'a': 1, 'b': 10**18}"),
    _case("a ** b", "{'a': -1, 'b': 10**18}"),
    _case("a ** b", "{'a': 2, 'b': -10**9}"),
    _case("a ** 0.5", f"{{'a': {HUGE}}}"),
    _case("a ** b", "{'a': 1.0000001, 'b': 10**18}"),
    _case("a // b", f"{{'a': {HUGE}, 'b': 3}}"),
    _case("a % b", f"{{'a': {HUGE}, 'b': 7}}"),
    _case("a / b", f"{{'a': {HUGE}, 'b': 7}}"),
    _case("(-8) ** (1/3)"),
    # string and list repetition
    _case("'x' * a", "{'a': 10**18}"),
    _case("a * 'x'", f"{{'a': {HUGE}}}"),
    _case("[a] * b", "{'a': 'x' * 1000, 'b': 10**6}"),
    _case("[[0] * 10000] * 10000"),
    _case("[a, a, a, a, a, a, a, a, a, a, a, a]", "{'a': ['x' * 90000] * 11}"),
    _case("a + a", "{'a': 'x' * 99999}"),
    _case("a + a", "{'a': list(range(9000))}"),
    # join / split / lower / upper
    _case("join(a, b)", "{'a': ['x'] * 10000, 'b': 'y' * 100000}"),
    _case("join(a)", "{'a': [deep(50000)]}"),
    _case("join(a)", f"{{'a': [{HUGE}]}}"),
    _case("split(a)", "{'a': ' x' * 500000}"),
    _case("split(a, 'x')", "{'a': 'x' * 1000000}"),
    _case("lower(a)", "{'a': 'İ' * 99999}"),
    _case("upper(a)", "{'a': 'ß' * 99999}"),
    # min / max / sum / len / contains on huge or deep values
    _case("min(a)", "{'a': list(range(10**6))}"),
    _case("max(a, b)", "{'a': deep(50000), 'b': deep(50000)}"),
    _case("sum(a)", "{'a': [1e308] * 10}"),
    _case("sum(a)", f"{{'a': [{HUGE}]}}"),
    _case("sum(a)", "{'a': [2**255] * 10000}"),
    _case("len(a)", "{'a': deep(50000)}"),
    _case("a == b", "{'a': deep(50000), 'b': deep(50000)}"),
    _case("contains(a, b)", "{'a': [deep(50000)], 'b': deep(50000)}"),
    _case("a in b", "{'a': deep(50000), 'b': [deep(50000)]}"),
    _case("keys(a)", "{'a': {str(i): i for i in range(200000)}}"),
    _case("values(a)", "{'a': {str(i): deep(1000) for i in range(100)}}"),
    _case("a[b]", "{'a': [1], 'b': 2**255}"),
    _case("a[b:c]", f"{{'a': 'xyz', 'b': -{HUGE}, 'c': {HUGE}}}"),
    # nested literals
    _case("[" * 40 + "1" + "]" * 40),
    _case("-" * 2000 + "1"),
    _case("not " * 900 + "true"),
    _case("(" * 190 + "1" + ")" * 190),
    _case(" + ".join(["a"] * 900), "{'a': 'x' * 100}"),
]


@pytest.mark.parametrize(("expr", "input_py"), SIZE_CASES)
def test_expression_sizes_are_bounded(worker: Worker, expr: str, input_py: str) -> None:
    doc = expression_doc(expr, fields=("a", "b", "c"))
    # "Well under 5 s": a bounded evaluation takes microseconds; 3 s keeps hangs cheap.
    answer = worker.ask({"doc": doc, "input_py": input_py}, timeout=3.0)
    assert_finished_cleanly(answer, expr)
    if not answer.get("valid", False):
        assert answer.get("issues") or answer.get("error"), answer
        return
    assert answer.get("status") in ("succeeded", "failed", "rejected"), answer
    if answer["status"] == "failed":
        assert answer["error"], f"a failed run without a reason: {answer}"


# ------------------------------------------------------------------ the sandbox

ESCAPES = [
    "__import__('os').system('touch CANARY')",
    "input.__class__",
    "input.__class__.__mro__[1].__subclasses__()",
    "().__class__.__bases__[0]",
    "''.__class__",
    "input._private",
    "_secret",
    "a.upper()",
    "a.format(1)",
    "'{0.__class__}'.format(a)",
    "'%s' % a",
    "open('/etc/passwd')",
    "getattr(a, 'x')",
    "globals()",
    "vars()",
    "locals()",
    "dir()",
    "type(a)",
    "eval('1')",
    "exec('1')",
    "compile('1', 'x', 'eval')",
    "breakpoint()",
    "print(1)",
    "lambda: 1",
    "(lambda x: x)(1)",
    "[x for x in a]",
    "{x: 1 for x in a}",
    "{x for x in a}",
    "(x for x in a)",
    "f'{a}'",
    "f'{a.__class__}'",
    "(x := 1)",
    "[*a]",
    "{**a}",
    "len(*a)",
    "len(a=1)",
    "a if True else __import__('os')",
    "yield 1",
    "await a",
    "a @ a",
    "a | a",
    "~a",
    "a << 1000000",
    "a is None",
    "...",
    "b'bytes'",
    "1j",
    "{1, 2}",
    "a[::1]",
    "a[::-1]",
    "str.join",
    "len.__self__",
    "now.__globals__",
    "steps.__dict__",
    "input['__class__']",
    "input.a.__len__",
    "__builtins__",
    "__loader__.load_module('os')",
    "\\N{LATIN SMALL LETTER A}",
    "ａ.__class__",  # fullwidth letter: NFKC-normalised to 'a' by the parser
    "ｉｎｐｕｔ.__class__",
    "\u0130nput",
    "len(a)\n__import__('os')",
    "1; __import__('os')",
    "a}}{{__import__('os')",
]


@pytest.mark.parametrize("expr", ESCAPES, ids=[e[:60] for e in ESCAPES])
def test_sandbox_refuses_at_save(worker: Worker, expr: str, tmp_path: Path) -> None:
    doc = expression_doc(expr)
    answer = worker.ask({"doc": doc, "input": {"a": "x", "b": "y"}})
    assert_finished_cleanly(answer, expr)
    assert not (Path.cwd() / "CANARY").exists()
    if answer.get("valid"):
        # Allowed constructs must still do nothing outside the data (attribute on a
        # non-mapping is a run-time error, a mapping key is a plain read).
        assert answer.get("status") in ("succeeded", "failed"), answer
        output = (answer.get("steps") or [{}])[0].get("output")
        assert "class" not in repr(output) and "module" not in repr(output), answer
        assert "built-in" not in repr(output) and "function" not in repr(output), answer
    else:
        assert any(i["severity"] == "error" for i in answer["issues"]), answer


RUN_TIME_INPUTS = [
    "{{ __import__('os').system('touch CANARY') }}",
    "{{ 1 + 1 }}",
    "{{ input.a }}",
    "{% import os %}",
    "${{ secrets }}",
    "{{ round(1, -10**9) }}",
]


@pytest.mark.parametrize("text", RUN_TIME_INPUTS)
def test_input_values_are_data_not_expressions(worker: Worker, text: str) -> None:
    """A run's input is never evaluated: an expression in it comes out as the same text."""
    doc = workflow(
        [set_step("{{ input.a }}"), set_step("x{{ input.a }}y", "t")],
        schema={"type": "object", "properties": {"a": {"type": "string"}}},
    )
    answer = worker.ask({"doc": doc, "input": {"a": text}})
    assert_finished_cleanly(answer, text)
    assert answer["status"] == "succeeded", answer
    assert answer["steps"][0]["output"] == {"value": text}
    assert answer["steps"][1]["output"] == {"value": f"x{text}y"}
    assert not (Path.cwd() / "CANARY").exists()


@pytest.mark.parametrize(
    ("expr", "input_py"),
    [
        ("a.real", "{'a': 1}"),
        ("a.upper", "{'a': 'x'}"),
        ("a.append", "{'a': []}"),
        ("a.keys", "{'a': {'x': 1}}"),
        ("a.k.__class__", "{'a': {'k': 1}}"),
        ("a['__class__']", "{'a': 'x'}"),
        ("a[b]", "{'a': {'x': 1}, 'b': '__class__'}"),
    ],
)
def test_attribute_access_at_run(worker: Worker, expr: str, input_py: str) -> None:
    """Attribute reads reach only mapping keys at run time, never a Python attribute."""
    answer = worker.ask({"doc": expression_doc(expr), "input_py": input_py})
    assert_finished_cleanly(answer, expr)
    if answer.get("valid"):
        output = repr((answer.get("steps") or [{}])[0].get("output"))
        for leak in ("class", "method", "function", "built-in"):
            assert leak not in output, answer


@pytest.mark.xfail(strict=True, reason="issue 10.12: a null object key is stored as 'None'")
def test_null_object_key_is_not_the_text_none(worker: Worker) -> None:
    answer = worker.ask({"doc": expression_doc("{null: 1}"), "input": {}})
    assert_finished_cleanly(answer, "{null: 1}")
    if answer.get("valid") and answer.get("status") == "succeeded":
        assert answer["steps"][0]["output"] != {"value": {"None": 1}}, answer
