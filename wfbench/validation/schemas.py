"""What an input schema may do while it is checked: nothing outside it, nothing slow.

An input schema comes from a workflow file, so it is untrusted. Three promises:

* **No retrieval.** Only local references (``$ref``/``$dynamicRef`` starting with
  ``#``) are accepted at save (:func:`schema_problems`), ``$id`` is refused (it
  would rebase references onto a URL), and every validator gets a
  ``referencing.Registry`` whose ``retrieve`` refuses, so even a schema stored
  before this check can never make a request or read a file while input is checked.
* **Linear-time patterns.** ``pattern`` and ``patternProperties`` run on RE2
  (``google-re2``), whose matching time is linear in the input for every pattern
  it accepts. Static detection of "catastrophic" patterns is heuristic (``(a+)+``,
  ``(a|a)*``, ``(\\w|\\d)+``, … are all exponential in Python's ``re``), RE2 is a
  guarantee. A pattern RE2 cannot compile (backreferences, lookaround) or that
  needs too much memory is refused at save with a clear issue; at run time (a
  schema stored before) it is a problem of the input, never a slow match.
* **Linear-time formats.** :data:`FORMATS` (see :mod:`wfbench.validation.formats`)
  keeps only checks that are linear and bounded; the optional checkers jsonschema
  would load (``rfc3987_syntax`` builds an Earley grammar at import and takes
  seconds on a few kB) are never used.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

import re2
import referencing
import referencing.exceptions
from referencing.jsonschema import DRAFT202012

from wfbench.validation.formats import FORMATS
from wfbench.validation.jsonschema_lite import ValidationError, jsonschema

# A pattern compiled by RE2 may use at most this much memory (RE2's own bound).
PATTERN_MEMORY = 8 << 20
_REF_KEYS = ("$ref", "$dynamicRef")
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})  # values, not schemas
_BASE = "urn:wfbench:input-schema"  # the schema's own name: nothing to fetch


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = PATTERN_MEMORY
    return options


# RE2 refuses counts over 1000, but reads a count too large for an integer as literal
# text ("a{99999999999}" matches those 14 characters): refuse both, with one message.
_COUNT = re.compile(r"(?<!\\)\{(\d+)(?:,(\d*))?\}")
MAX_COUNT = 1000
MAX_PATTERN = 4096


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """The RE2 program of ``pattern``; raises ``ValueError`` with a reason if refused."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"the pattern is longer than {MAX_PATTERN:,} characters; shorten it")
    for match in _COUNT.finditer(pattern):
        if any(n and int(n[:6]) > MAX_COUNT for n in match.groups()):
            raise ValueError(
                f"the pattern {pattern[:80]!r} repeats more than {MAX_COUNT} times "
                f"({match.group(0)[:30]}); use a smaller count or + / *"
            )
    try:
        return re2.compile(pattern, _options())
    except re2.error as err:
        reason = err.args[0].decode() if err.args and isinstance(err.args[0], bytes) else err
        raise ValueError(
            f"the pattern {pattern[:80]!r} cannot be checked in linear time ({reason}); "
            "backreferences and lookaround are not supported: rewrite it without them"
        ) from None
    except UnicodeError:
        raise ValueError(f"the pattern {pattern[:80]!r} is not valid text") from None


def _search(pattern: str, text: str) -> bool:
    try:
        return compile_pattern(pattern).search(text) is not None
    except UnicodeError:  # a lone surrogate: refused earlier, never matches here
        return False


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    try:
        if not _search(pattern, instance):
            yield ValidationError(f"{instance[:80]!r} does not match {pattern[:80]!r}")
    except ValueError as err:
        yield ValidationError(str(err))


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object") or not isinstance(patterns, Mapping):
        return
    for pattern, subschema in patterns.items():
        try:
            compile_pattern(pattern)
        except ValueError as err:
            yield ValidationError(str(err))
            continue
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    """jsonschema's own, but "extra" keys are found with RE2 (it matches with ``re``)."""
    if not validator.is_type(instance, "object"):
        return
    props = schema.get("properties", {})
    patterns = [p for p in schema.get("patternProperties", {}) if _compiles(p)]
    extras = [k for k in instance if k not in props and not any(_search(p, k) for p in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        listed = ", ".join(repr(e)[:80] for e in extras[:20])  # jsonschema's own wording
        verb = "was" if len(extras) == 1 else "were"
        yield ValidationError(f"Additional properties are not allowed ({listed} {verb} unexpected)")


def _compiles(pattern: str) -> bool:
    try:
        compile_pattern(pattern)
    except ValueError:
        return False
    return True


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """jsonschema compares every pair (quadratic: 10,000 objects took minutes); this keys
    each item by its canonical JSON (1 and 1.0 equal, true and 1 not), one pass."""
    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[str] = set()
    for item in instance:
        try:
            key = json.dumps(_canonical(item), sort_keys=True, separators=(",", ":"))
        except (RecursionError, TypeError, ValueError):
            yield ValidationError("the items cannot be compared (nested too deeply)")
            return
        if key in seen:
            yield ValidationError(
                f"{json.dumps(item, default=str)[:80]} is not unique: items must be"
            )
            return
        seen.add(key)


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _refuse(uri: str) -> referencing.Resource[Any]:
    raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]


_Validator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    validators={
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "uniqueItems": _unique_items,
    },
)


def validator_for(schema: Mapping[str, Any]) -> Any:
    """A draft 2020-12 validator that never retrieves and matches in linear time.

    The same schema's validator is made once and kept (the last 64 schemas, by their JSON
    text, keys in their order: errors come in the schema's order): building one (its
    registry and resolver) cost a batch's rows more than checking their inputs. A validator
    is immutable once made (it holds its own copy of the schema), so threads share it."""
    try:
        text = json.dumps(schema, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):  # not JSON: made for this call only
        return _new_validator(schema)
    return _kept_validator(text)


@functools.lru_cache(maxsize=64)
def _kept_validator(text: str) -> Any:
    return _new_validator(json.loads(text))


def _new_validator(schema: Mapping[str, Any]) -> Any:
    registry: referencing.Registry[Any] = referencing.Registry(retrieve=_refuse)  # type: ignore[call-arg]
    return _Validator(schema, registry=registry, format_checker=FORMATS)


def schema_errors(schema: Mapping[str, Any], value: Any) -> list[ValidationError]:
    """Every way ``value`` fails ``schema``, in path order; a reference that cannot be
    resolved (outside the schema) is one error, never a request or a file read."""
    try:
        errors = list(validator_for(schema).iter_errors(value))
    except referencing.exceptions.Unresolvable:  # jsonschema wraps it in a subclass
        return [ValidationError(_REF_AT_RUN)]
    except RecursionError:  # a schema stored before loops were refused at save
        return [ValidationError(_LOOP)]
    return sorted(errors, key=lambda e: list(e.absolute_path))


_REF_AT_RUN = (
    "the input schema refers to a schema outside itself, which is never fetched; "
    "only local references ($ref: '#/…') are allowed: fix the workflow's input schema"
)


_LOOP = (
    "the input schema refers to itself without end ($ref loops that never reach a part "
    "of the input); fix the workflow's input schema"
)
# Keywords whose subschemas apply to the same instance (a $ref loop through them never ends).
_SAME_INSTANCE = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas")


def _loops(root: Any) -> list[tuple[list[str | int], str]]:
    """Every local ``$ref`` that comes back to itself without descending into the input."""
    found: list[tuple[list[str | int], str]] = []
    state: dict[tuple[str | int, ...], int] = {}  # 1: on the path, 2: done

    def node_at(path: tuple[str | int, ...]) -> Any:
        node = root
        for key in path:
            node = node[int(key)] if isinstance(node, list) else node.get(key)
        return node

    def edges(path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
        node = node_at(path)
        if not isinstance(node, Mapping):
            return []
        out = []
        ref = node.get("$ref")
        target = _pointer(root, ref) if isinstance(ref, str) else None
        if target is not None:
            out.append(target)
        for key in _SAME_INSTANCE:
            sub = node.get(key)
            if isinstance(sub, list):
                out += [(*path, key, i) for i in range(len(sub))]
            elif isinstance(sub, Mapping) and key == "dependentSchemas":
                out += [(*path, key, name) for name in sub]
            elif isinstance(sub, Mapping):
                out.append((*path, key))
        return out

    def visit(start: tuple[str | int, ...]) -> None:
        stack = [(start, iter(edges(start)))]
        state[start] = 1
        while stack:
            path, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[path] = 2
                stack.pop()
            elif state.get(child) == 1:
                found.append(([*path], _LOOP))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(edges(child))))

    visit(())
    for path in _all_refs(root):
        if path not in state:
            visit(path)
    return found


def _pointer(root: Any, ref: str) -> tuple[str | int, ...] | None:
    """The path a ``#/a/b`` reference names, if it leads to a node (anchors: None)."""
    if ref == "#":
        return ()
    if not ref.startswith("#/"):
        return None
    path: list[str | int] = []
    node = root
    for raw in ref[2:].split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            path.append(int(part))
            node = node[int(part)]
        elif isinstance(node, Mapping) and part in node:
            path.append(part)
            node = node[part]
        else:
            return None
    return tuple(path)


def _all_refs(root: Any) -> list[tuple[str | int, ...]]:
    paths: list[tuple[str | int, ...]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, Mapping):
            if "$ref" in node:
                paths.append(path)
            stack += [((*path, k), v) for k, v in node.items() if k not in _DATA_KEYWORDS]
        elif isinstance(node, list):
            stack += [((*path, i), v) for i, v in enumerate(node)]
    return paths


def schema_problems(schema: Any) -> list[tuple[list[str | int], str]]:
    """What a saved input schema may not contain, each with its path in the schema.

    Non-local ``$ref``/``$dynamicRef``, any ``$id``, a local reference that leads
    nowhere, and patterns RE2 refuses; every problem at once.
    """
    problems: list[tuple[list[str | int], str]] = []
    stack: list[tuple[list[str | int], Any]] = [([], schema)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, list):
            stack += [([*path, i], item) for i, item in enumerate(node)]
            continue
        if not isinstance(node, Mapping):
            continue
        problems += _node_problems(schema, path, node)
        stack += [([*path, k], v) for k, v in node.items() if k not in _DATA_KEYWORDS]
    if not problems:  # loops are followed only through references that resolve
        problems += _loops(schema)
    return sorted(problems, key=lambda p: [str(k) for k in p[0]])


def _node_problems(
    root: Any, path: list[str | int], node: Mapping[str, Any]
) -> list[tuple[list[str | int], str]]:
    found: list[tuple[list[str | int], str]] = []
    if "$id" in node and (not path or path[-1] not in _NAME_MAPS):
        found.append(([*path, "$id"], _ID))
    for key in _REF_KEYS:
        ref = node.get(key)
        if isinstance(ref, str) and not ref.startswith("#"):
            found.append(([*path, key], _remote(ref)))
        elif isinstance(ref, str) and key == "$ref" and not _resolves(root, ref):
            found.append(([*path, key], f"the reference {ref[:80]!r} leads nowhere in the schema"))
    patterns: list[tuple[list[str | int], Any]] = [([*path, "pattern"], node.get("pattern"))]
    props = node.get("patternProperties")
    if isinstance(props, Mapping):
        patterns += [([*path, "patternProperties", p], p) for p in props]
    for where, pattern in patterns:
        if isinstance(pattern, str):
            try:
                compile_pattern(pattern)
            except ValueError as err:
                found.append((where, str(err)))
    return found


_ID = (
    "$id is not allowed in an input schema: it would make references point outside "
    "the schema; remove it and use local references ($ref: '#/$defs/…')"
)


def _remote(ref: str) -> str:
    return (
        f"the reference {ref[:80]!r} points outside the schema; nothing is ever fetched "
        "from the network or read from disk: copy what it refers to into $defs and use "
        "a local reference such as '#/$defs/name'"
    )


def _resolves(root: Any, ref: str) -> bool:
    resource = DRAFT202012.create_resource(root)
    registry: referencing.Registry[Any] = referencing.Registry(retrieve=_refuse)  # type: ignore[call-arg]
    resolver = registry.with_resource(_BASE, resource).resolver(_BASE)
    try:
        resolver.lookup(ref)
    except referencing.exceptions.Unresolvable:
        return False
    return True


__all__ = ["compile_pattern", "schema_errors", "schema_problems", "validator_for"]
