"""SCIM directories: each action's time over one bare HTTP request to the same server, W1 at
N = 1,000 against a real ``scim2-server`` on loopback (loop concurrency 1 and 8), and a batch.

**Per action**: the directory operation a step runs (``ScimDirectory.get_user`` …, what
the handlers call, scim2-client over httpx2) against the **floor**: one bare ``httpx2``
GET of one user by id on a held connection to the same server, interleaved, medians. The
ratio counts the action's round trips (a user read is the user, their groups and their
manager) and the library's work.

**W1** (``bench/runs.py``'s workflow: per email ``users.get``, then ``users.suspend`` for a
contractor or ``notify.email``) at N = 1,000 on 1,000 SCIM users (a quarter contractors),
``wb.run(..., directory="corp")`` with the loop's ``concurrency`` 1 and 8, against the
floor: the same HTTP requests bare (per email the filter query, and a PATCH for a
contractor) on one ``httpx2`` client, serial and on 8 threads. The server is reseeded
(contractors active again) before each repeat.

**A batch** (issue 22): W1's work for one email as a workflow of its own, run once per email
by ``wb.run_many(..., directory="corp")`` at concurrency 8 and 32, every run recorded,
against the same bare requests on as many threads: the share of their rate it reaches.

    .venv/bin/python bench/scim.py [--quick] [--n N] [--rounds R] [--json PATH]
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
from _common import Load, header, interleave, parser, table, write_json
from runs import W1

from wfbench import Workbench
from wfbench.actions.context import Connector
from wfbench.directory.scim import ScimDirectory
from wfbench.directory.targets import ScimTarget
from wfbench.testing.scim_server import LocalScimServer

ENV = "BENCH_SCIM_TOKEN"


def seed(server: LocalScimServer, n: int) -> list[str]:
    ops = [
        {
            "method": "POST",
            "path": "/Users",
            "bulkId": f"u{i}",
            "data": {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": f"user{i:05d}@example.com",
                "name": {"givenName": f"U{i}", "familyName": "Bench"},
                "emails": [{"value": f"user{i:05d}@example.com", "primary": True}],
                "userType": "Contractor" if i % 4 == 0 else "Employee",
                "active": True,
            },
        }
        for i in range(n)
    ]
    for start in range(0, n, 1000):
        answer = server.http.post(
            "/Bulk",
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                "Operations": ops[start : start + 1000],
            },
        )
        answer.raise_for_status()
    return [f"user{i:05d}@example.com" for i in range(n)]


def reactivate(server: LocalScimServer) -> None:
    for user in server.resources("Users"):
        if not user.get("active", True):
            server.http.patch(
                f"/Users/{user['id']}",
                json={
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "active", "value": True}],
                },
            ).raise_for_status()


def per_action(server: LocalScimServer, repeats: int) -> list[dict[str, Any]]:
    alice = server.add_user("alice@example.com", "Alice", "A", user_type="Contractor")
    group = server.add_group("eng", [])
    d = ScimDirectory(ScimTarget("corp", server.url, ENV))
    bare = httpx2.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.token}"})
    state = {"active": True, "member": False}

    def toggle_active() -> None:
        if state["active"]:
            d.suspend_user(alice["id"])
        else:
            d.activate_user(alice["id"])
        state["active"] = not state["active"]

    def toggle_member() -> None:
        if state["member"]:
            d.remove_user_from_group(group["id"], alice["id"])
        else:
            d.add_user_to_group(group["id"], alice["id"])
        state["member"] = not state["member"]

    actions = {
        "users.get (by email)": lambda: d.get_user(email="alice@example.com"),
        "users.suspend / users.activate": toggle_active,
        "groups.get (by name)": lambda: d.get_group(name="eng"),
        "groups.add_user / groups.remove_user": toggle_member,
    }
    rows = []
    for name, fn in actions.items():
        times = interleave(
            {"floor": lambda: bare.get(f"/Users/{alice['id']}").raise_for_status(), name: fn},
            repeats,
        )
        f, p = statistics.median(times["floor"]), statistics.median(times[name])
        rows.append({"action": name, "floor_ms": f * 1e3, "action_ms": p * 1e3, "ratio": p / f})
    d.close()
    bare.close()
    return rows


def w1_floor(server: LocalScimServer, emails: list[str], threads: int) -> float:
    client = httpx2.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.token}"})

    def one(email: str) -> None:
        page = client.get("/Users", params={"filter": f'emails.value eq "{email}"'}).json()
        user = page["Resources"][0]
        if user.get("userType") == "Contractor" and user.get("active", True):
            client.patch(
                f"/Users/{user['id']}",
                json={
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "path": "active", "value": False}],
                },
                headers={"If-Match": user["meta"]["version"]},
            ).raise_for_status()

    start = time.perf_counter()
    if threads == 1:
        for email in emails:
            one(email)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, emails))
    took = time.perf_counter() - start
    client.close()
    return took


def w1_product(wb: Workbench, emails: list[str], concurrency: int) -> float:
    start = time.perf_counter()
    run = wb.run(f"W1 c{concurrency}", {"emails": emails}, directory="corp")
    took = time.perf_counter() - start
    assert run.status == "succeeded", run.error
    return took


def batch_flow() -> dict[str, Any]:
    """W1's work for one email as a workflow of its own, for a batch to run once per row."""
    body = json.dumps(W1["steps"][0]["steps"]).replace("{{ email }}", "{{ input.email }}")
    return {
        "format": "wfbench/v1",
        "name": "W1 row",
        "run_as": W1["run_as"],
        "trigger": {
            "input_schema": {
                "type": "object",
                "required": ["email"],
                "properties": {"email": {"type": "string"}},
            }
        },
        "steps": json.loads(body),
    }


def batch_product(wb: Workbench, emails: list[str], concurrency: int) -> float:
    rows = [{"email": e} for e in emails]
    start = time.perf_counter()
    out = wb.run_many("W1 row", rows, concurrency=concurrency, directory="corp", progress=False)
    took = time.perf_counter() - start
    bad = out[out["status"] != "succeeded"]
    assert bad.empty, bad[["status", "error"]].head(3).to_dict("records")
    return took


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    n = 60 if args.quick else args.n
    rounds = 1 if args.quick else args.rounds
    m = header("SCIM: actions over a bare request; W1 against scim2-server")
    load = Load()
    with LocalScimServer() as server:
        os.environ[ENV] = server.token
        actions = per_action(server, 20 if args.quick else 60)
    print("\nEach action (the directory operation a step runs) over one bare GET of a user:")
    table(
        [
            [
                r["action"],
                f"{r['action_ms']:.2f} ms",
                f"{r['floor_ms']:.2f} ms",
                f"{r['ratio']:.1f}×",
            ]
            for r in actions
        ],
        ["action", "action", "bare GET", "ratio"],
    )
    w1: list[dict[str, Any]] = []
    batches: list[dict[str, Any]] = []
    with LocalScimServer() as server, tempfile.TemporaryDirectory() as tmp:
        os.environ[ENV] = server.token
        emails = seed(server, n)
        wb = Workbench(Path(tmp) / "bench.duckdb")
        wb.init(demo=True)
        wb.add_connector(Connector("corp", server.url, auth="bearer", token_env=ENV, kind="scim"))
        for c in (1, 8):
            doc: dict[str, Any] = copy.deepcopy(W1)
            doc["name"] = f"W1 c{c}"
            doc["steps"][0]["concurrency"] = c
            doc["steps"][0]["max_iterations"] = max(n, 1)
            wb.save(doc)
        for c in (1, 8):
            floors, products = [], []
            for _ in range(rounds):
                reactivate(server)
                floors.append(w1_floor(server, emails, c))
                reactivate(server)
                products.append(w1_product(wb, emails, c))
            f, prod = statistics.median(floors), statistics.median(products)
            w1.append({"concurrency": c, "n": n, "floor_s": f, "w1_s": prod, "ratio": prod / f})
        wb.save(batch_flow())
        for c in (8, 32):
            floors, products = [], []
            for _ in range(rounds):
                reactivate(server)
                floors.append(w1_floor(server, emails, c))
                reactivate(server)
                products.append(batch_product(wb, emails, c))
            f, prod = statistics.median(floors), statistics.median(products)
            batches.append(
                {"concurrency": c, "n": n, "floor_s": f, "batch_s": prod, "of_bare": f / prod}
            )
    print(f"\nW1 at N = {n:,} on scim2-server (medians of {rounds} interleaved repeats):")
    table(
        [
            [
                str(r["concurrency"]),
                f"{r['w1_s']:.2f} s ({r['w1_s'] / n * 1e3:.1f} ms per item)",
                f"{r['floor_s']:.2f} s",
                f"{r['ratio']:.2f}×",
            ]
            for r in w1
        ],
        ["concurrency", "W1 (engine + history + SCIM)", "bare httpx2, same requests", "ratio"],
    )
    print(
        f"\nA batch of {n:,} rows of W1's work per email (run_many on scim2-server; medians "
        f"of {rounds} interleaved repeats):"
    )
    table(
        [
            [
                str(r["concurrency"]),
                f"{r['batch_s']:.2f} s ({n / r['batch_s']:.1f} runs/s)",
                f"{r['floor_s']:.2f} s ({n / r['floor_s']:.1f}/s)",
                f"{r['of_bare']:.0%}",
            ]
            for r in batches
        ],
        ["concurrency", "run_many", "bare httpx2 threads, same requests", "share of bare"],
    )
    print(f"load: {load.note()}")
    write_json(
        args.json,
        {"machine": m, "actions": actions, "w1": w1, "batch": batches, **load.note()},
    )


if __name__ == "__main__":
    main()
