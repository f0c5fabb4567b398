"""wfbench.store.drafts: unsaved drafts kept under a key; test cases kept with a version."""

from __future__ import annotations

from wfbench.store import Store

from .support import T0


def test_a_draft_is_kept_replaced_and_dropped(memory_store: Store) -> None:
    store = memory_store
    assert store.kept_draft("new:Brand new") is None
    store.keep_draft("new:Brand new", {"name": "Brand new", "steps": []})
    kept = store.kept_draft("new:Brand new")
    assert kept is not None and kept.key == "new:Brand new"
    assert (kept.definition, kept.cases) == ({"name": "Brand new", "steps": []}, None)
    assert kept.kept_at.tzinfo is not None and kept.kept_at >= T0  # the store's clock, UTC
    cases = [{"name": "a", "input": {}}]
    store.keep_draft("new:Brand new", {"name": "Brand new", "steps": [1]}, cases)
    again = store.kept_draft("new:Brand new")
    assert again is not None and again.definition["steps"] == [1] and again.cases == cases
    assert again.kept_at > kept.kept_at
    store.drop_draft("new:Brand new")
    store.drop_draft("new:Brand new")  # dropping twice is no error
    assert store.kept_draft("new:Brand new") is None


def test_cases_belong_to_one_version(memory_store: Store) -> None:
    store = memory_store
    cases = [{"name": "ada", "input": {"email": "ada@example.com"}, "expect": {}}]
    store.save_cases("wf_1", 2, cases)
    assert store.cases_of("wf_1", 2) == cases
    assert store.cases_of("wf_1", 1) is None and store.cases_of("wf_2", 2) is None
    store.save_cases("wf_1", 2, [])  # saved again: replaced
    assert store.cases_of("wf_1", 2) == []


def test_a_kept_draft_outlives_the_store_object(db: object) -> None:
    first = Store(str(db))
    first.keep_draft("wf_1", {"name": "x"})
    first.close()
    second = Store(str(db))
    kept = second.kept_draft("wf_1")
    second.close()
    assert kept is not None and kept.definition == {"name": "x"}
