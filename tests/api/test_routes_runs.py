"""Listing runs and starting them over HTTP (idempotency, background starts)."""

from __future__ import annotations

import json
import threading
import time

import httpx

from .support import (
    API,
    HELLO,
    Api,
    cli,
    gate,
    problem,
    sample_input,
)


def test_list_runs_filters_and_pages(api: Api) -> None:
    with api.client("runner") as c:
        for n in range(3):
            assert c.post(f"{API}/Hello/runs", json={"name": f"n{n}"}).status_code == 201
        assert c.post(f"{API}/Hello/runs", json={}).status_code == 422
        hello_id = c.get(f"{API}/Hello").json()["id"]
        all_hello = c.get(f"{API}/runs", params={"workflow_id": hello_id}).json()
        assert [r["input"] for r in all_hello] == [
            {},
            {"name": "n2"},
            {"name": "n1"},
            {"name": "n0"},
        ]
        by_name = c.get(f"{API}/runs", params={"workflow_id": "hello"}).json()
        assert by_name == all_hello
        ok = c.get(f"{API}/runs", params={"workflow_id": "Hello", "status": "succeeded"}).json()
        assert [r["status"] for r in ok] == ["succeeded"] * 3
        page = c.get(f"{API}/runs", params={"limit": 2, "skip": 1}).json()
        assert [r["run_id"] for r in page] == [r["run_id"] for r in all_hello[1:3]]
        assert "steps" not in page[0] and page[0]["started_by"] == "api:runner"
        bad = c.get(f"{API}/runs", params={"status": "nope", "limit": 0})
        unknown = c.get(f"{API}/runs", params={"workflow_id": "No such"})
    errors = problem(bad, 422, "invalid-request")["errors"]
    assert sorted(e["parameter"] for e in errors) == ["limit", "status"]
    assert "known workflows" in problem(unknown, 404, "not-found")["detail"]


def test_runs_path_is_not_taken_for_a_workflow_id(api: Api) -> None:
    runs = dict(HELLO, name="runs")
    with api.client() as c:
        created = c.post(API, json=runs)
        assert created.status_code == 201
        listing = c.get(f"{API}/runs")
        by_id = c.get(f"{API}/{created.json()['id']}")
    assert listing.status_code == 200 and isinstance(listing.json(), list)
    assert by_id.json()["name"] == "runs"


# --------------------------------------------------------------------------- starting runs


def test_start_answers_201_with_the_run_as_wfbench_show_prints_it(api: Api) -> None:
    with api.client("runner") as c:
        started = c.post(f"{API}/Onboard%20new%20hire/runs", json=sample_input("onboard_new_hire"))
        assert started.status_code == 201, started.text
        run = started.json()
        assert started.headers["location"] == f"{API}/runs/{run['run_id']}"
        fetched = c.get(started.headers["location"])
    assert fetched.status_code == 200 and fetched.json() == run
    assert run["status"] == "succeeded" and run["started_by"] == "api:runner"
    assert run["steps"][0]["node"] == "create" and len(run["steps"]) > 2
    show = cli("--db", api.path, "show", run["run_id"], "--json")
    assert show.returncode == 0, show.stderr
    shown = json.loads(show.stdout)
    assert list(run) == list(shown)
    assert [list(s) for s in run["steps"]] == [list(s) for s in shown["steps"]]
    times = {"started_at", "ended_at"}
    assert {k: v for k, v in run.items() if k not in times} == {
        k: v for k, v in shown.items() if k not in times
    }


def test_wait_false_answers_202_with_a_location_to_poll(api: Api) -> None:
    gated = gate(api.wb)
    with api.client("runner") as c:
        accepted = c.post(f"{API}/Gate/runs", params={"wait": "false"}, json={})
        assert accepted.status_code == 202, accepted.text
        body = accepted.json()
        assert accepted.headers["location"] == body["href"] == f"{API}/runs/{body['run_id']}"
        assert body["status"] == "running"
        assert c.get(body["href"]).json()["status"] == "running"  # its Location works at once
        gated.opened.set()
        deadline = time.monotonic() + 60
        while (run := c.get(body["href"]).json())["status"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert run["status"] == "succeeded" and run["steps"][0]["node"] == "gate"


def test_422_lists_every_input_problem_and_keeps_the_rejected_start(api: Api) -> None:
    with api.client("runner") as c:
        bad = c.post(f"{API}/Hello/runs", json={"times": "x", "extra": 1})
        body = problem(bad, 422, "invalid-input")
        run = c.get(f"{API}/runs/{body['run_id']}").json()
        not_object = c.post(f"{API}/Hello/runs", json=[1, 2])
    pointers = sorted(e["pointer"] for e in body["errors"])
    assert pointers == ["", "", "/times"]  # name missing, extra not allowed, times not int
    assert all(e["message"] for e in body["errors"])
    assert run["status"] == "rejected" and run["input"] == {"times": "x", "extra": 1}
    assert problem(not_object, 422, "invalid-input")["errors"][0]["pointer"] == ""


def test_409_disabled_workflow_and_the_refused_start_is_recorded(api: Api) -> None:
    with api.client() as c:
        off = c.put(f"{API}/Hello", json={"enabled": False})
        assert off.status_code == 200 and off.json()["enabled"] is False
        assert off.json()["version"] == 1  # toggling is not a new version
        refused = c.post(f"{API}/Hello/runs", json={"name": "x"})
        body = problem(refused, 409, "workflow-disabled")
        rejected = c.get(f"{API}/runs", params={"workflow_id": "Hello", "status": "rejected"})
        assert [r["run_id"] for r in rejected.json()] == [body["run_id"]]
        assert c.put(f"{API}/Hello", json={"enabled": True}).json()["enabled"] is True
        assert c.post(f"{API}/Hello/runs", json={"name": "x"}).status_code == 201


def test_idempotent_retries_return_the_same_run(api: Api) -> None:
    with api.client("runner") as c:
        key = {"Idempotency-Key": "order-17"}
        first = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers=key)
        retry = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers=key)
        other = c.post(f"{API}/Hello/runs", json={"name": "b"}, headers=key)
        fresh = c.post(f"{API}/Hello/runs", json={"name": "a"}, headers={"Idempotency-Key": "o18"})
    assert first.status_code == 201 and first.headers["idempotent-replayed"] == "false"
    assert retry.status_code == 200 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json() and retry.json()["idempotency_key"] == "order-17"
    assert "different input" in problem(other, 409, "idempotency-conflict")["detail"]
    assert fresh.status_code == 201 and fresh.json()["run_id"] != first.json()["run_id"]
    assert len(api.wb.runs("Hello")) == 2


def test_retries_of_a_background_start_return_the_running_run(api: Api) -> None:
    key = {"Idempotency-Key": "bg-1"}
    with api.client("runner") as c:
        first = c.post(f"{API}/Slow/runs", params={"wait": "false"}, json={"s": 0.5}, headers=key)
        again = c.post(f"{API}/Slow/runs", params={"wait": "false"}, json={"s": 0.5}, headers=key)
        waited = c.post(f"{API}/Slow/runs", json={"s": 0.5}, headers=key)
        other = c.post(f"{API}/Slow/runs", json={"s": 1}, headers=key)
        while c.get(first.headers["location"]).json()["status"] == "running":
            time.sleep(0.05)
        after = c.post(f"{API}/Slow/runs", json={"s": 0.5}, headers=key)
    assert first.status_code == 202
    run_id = first.json()["run_id"]
    assert (again.status_code, again.json()["run_id"]) == (200, run_id)
    assert (waited.status_code, waited.json()["run_id"]) == (200, run_id)
    problem(other, 409, "idempotency-conflict")
    assert (after.status_code, after.json()["status"]) == (200, "succeeded")
    assert list(api.wb.runs("Slow")["run_id"]) == [run_id]


def test_concurrent_retries_with_one_key_start_one_run(api: Api) -> None:
    results: list[httpx.Response] = []

    def call() -> None:
        with api.client("runner") as c:
            results.append(
                c.post(f"{API}/Slow/runs", json={"s": 0.2}, headers={"Idempotency-Key": "k"})
            )

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert len({r.json()["run_id"] for r in results}) == 1
    assert len(api.wb.runs("Slow")) == 1
