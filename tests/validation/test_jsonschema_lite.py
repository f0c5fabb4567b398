"""wfbench.validation.jsonschema_lite: jsonschema without its costly format checkers."""

from __future__ import annotations

import subprocess
import sys

from wfbench.validation.jsonschema_lite import ValidationError, jsonschema


def test_it_hands_out_a_working_jsonschema() -> None:
    schema = {"type": "object", "required": ["to"]}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors({}))
    assert [e.message for e in errors] == ["'to' is a required property"]
    assert issubclass(ValidationError, Exception)


def test_the_optional_format_packages_are_not_imported_and_stay_importable() -> None:
    code = (
        "import sys; import wfbench.validation.jsonschema_lite\n"
        "hidden = ('rfc3987_syntax', 'isoduration', 'rfc3986_validator')\n"
        "print(sorted(n for n in hidden if n in sys.modules))\n"
        "print(sorted(n for n in hidden if sys.modules.get(n, 0) is None))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["[]", "[]"]
