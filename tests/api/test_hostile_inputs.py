"""Issues 10.10 and 10.12 over HTTP: unstorable input refused, a dry run is not a retry."""

from __future__ import annotations

from .support import API, Api, problem


def test_an_idempotency_key_of_a_real_run_is_refused_for_a_dry_run(api: Api) -> None:
    """Issue 10.12: the dry-run retry replayed the earlier real run (and said so: 200)."""
    with api.client("runner") as c:
        key = {"Idempotency-Key": "real-then-dry"}
        real = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers=key)
        dry = c.post(f"{API}/Hello/runs?dry_run=true", json={"name": "a"}, headers=key)
        again = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers=key)
        key2 = {"Idempotency-Key": "dry-then-real"}
        first_dry = c.post(f"{API}/Hello/runs?dry_run=true", json={"name": "a"}, headers=key2)
        then_real = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers=key2)
    assert real.status_code == 201
    assert "real run" in problem(dry, 409, "idempotency-conflict")["detail"]
    assert again.status_code == 200 and again.json()["run_id"] == real.json()["run_id"]
    assert first_dry.status_code == 201 and first_dry.json()["dry_run"] is True
    assert "dry run" in problem(then_real, 409, "idempotency-conflict")["detail"]


def test_unstorable_numbers_are_refused_before_the_run_starts(api: Api) -> None:
    with api.client("runner") as c:
        before = len(c.get(f"{API}/runs").json())
        big = c.post(
            f"{API}/Hello/runs",
            content=b'{"name": "a", "n": 123456789012345678901234567890}',
            headers={"Content-Type": "application/json"},
        )
        after = c.get(f"{API}/runs").json()
    assert big.status_code in (400, 422), big.text
    assert all(r["status"] in ("rejected",) for r in after[: len(after) - before])
