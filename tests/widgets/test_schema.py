"""wfbench.widgets.schema: a JSON Schema guessed from a sample, and the field table's rows."""

from __future__ import annotations

from wfbench.widgets.schema import MISSING, FieldSpec, fields_of, infer_schema, schema_from_fields


def test_infer_schema_from_a_sample() -> None:
    schema = infer_schema(
        {
            "email": "ada@example.com",
            "notify": True,
            "count": 3,
            "ratio": 0.5,
            "groups": ["a", "b"],
            "manager": None,
            "when": "2026-01-02",
            "mixed": [1, 2.5],
            "profile": {"team": "it"},
        }
    )
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    props = schema["properties"]
    assert props["email"] == {"type": "string", "format": "email"}
    assert props["notify"] == {"type": "boolean"}
    assert props["count"] == {"type": "integer"}
    assert props["ratio"] == {"type": "number"}
    assert props["groups"] == {"type": "array", "items": {"type": "string"}}
    assert props["manager"] == {}
    assert props["when"] == {"type": "string", "format": "date"}
    assert props["mixed"] == {"type": "array", "items": {"type": "number"}}
    assert props["profile"]["properties"] == {"team": {"type": "string"}}
    assert "manager" not in schema["required"] and "email" in schema["required"]


def test_inferred_schema_accepts_its_sample() -> None:
    import jsonschema

    sample = {"email": "ada@example.com", "tags": [], "n": 1, "nested": {"x": [True]}}
    jsonschema.Draft202012Validator(infer_schema(sample)).validate(sample)


def test_fields_round_trip_keeps_what_the_table_does_not_show() -> None:
    schema = {
        "type": "object",
        "required": ["email"],
        "additionalProperties": False,
        "properties": {
            "email": {"type": "string", "format": "email", "minLength": 3},
            "notify": {"type": "boolean", "default": True},
            "team": {"type": "string", "enum": ["it", "hr"]},
        },
    }
    rows = fields_of(schema)
    assert [(r.name, r.type, r.required) for r in rows] == [
        ("email", "string", True),
        ("notify", "boolean", False),
        ("team", "string", False),
    ]
    assert rows[1].default is True and rows[0].default is MISSING
    assert rows[2].enum == ["it", "hr"]
    assert schema_from_fields(rows, schema) == schema
    rows[0].type = "integer"  # format makes no sense on a number: dropped
    assert schema_from_fields(rows, schema)["properties"]["email"] == {
        "type": "integer",
        "minLength": 3,
    }
    rows.append(FieldSpec("count", "integer", True, 5))
    out = schema_from_fields(rows, schema)
    assert out["required"] == ["email", "count"]
    assert out["properties"]["count"] == {"type": "integer", "default": 5}
