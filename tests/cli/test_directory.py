"""Issue 21: ``wfbench directory users|groups --search TEXT`` finds people from a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from wfbench.cli import main


@pytest.fixture(autouse=True)
def demo(db: Path) -> None:
    assert main(["--db", str(db), "init", "--demo"], io.StringIO()) == 0


def run(db: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["--db", str(db), "directory", *args], out), out.getvalue()


def test_users_search_matches_email_name_and_department(db: Path) -> None:
    code, text = run(db, "users", "--search", "lovelace")
    assert code == 0
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["id", "email", "first_name"]
    assert len(lines) == 2 and "ada.lovelace@example.com" in lines[1]
    code, text = run(db, "users", "--search", "ADA LOVE", "--json")  # a full name, any case
    assert code == 0 and [u["email"] for u in json.loads(text)] == ["ada.lovelace@example.com"]
    code, text = run(db, "users", "--search", "nobody-here")
    assert code == 0 and text == "no users matching 'nobody-here' in the directory\n"


def test_groups_search_lists_members_count(db: Path) -> None:
    code, text = run(db, "groups", "--search", "engineering", "--json")
    assert code == 0
    groups = {g["name"]: g for g in json.loads(text)}
    assert groups["engineering"]["member_count"] > 0
    code, text = run(db, "groups", "--limit", "3", "--json")
    assert code == 0 and len(json.loads(text)) == 3


def test_a_search_is_a_value_not_sql(db: Path) -> None:
    code, text = run(db, "users", "--search", "' OR 1=1 --", "--json")
    assert code == 0 and json.loads(text) == []
