"""Reading, creating, updating and deleting workflows over HTTP."""

from __future__ import annotations

from .support import (
    API,
    HELLO,
    Api,
    problem,
)

# --------------------------------------------------------------------------- reading


def test_list_and_get_workflows_by_id_or_name(api: Api) -> None:
    with api.client("viewer") as c:
        listed = c.get(API)
        assert listed.status_code == 200
        names = [w["name"] for w in listed.json()]
        assert names == ["Hello", "Offboard contractor", "Onboard new hire", "Slow"]
        hello = next(w for w in listed.json() if w["name"] == "Hello")
        assert hello["enabled"] is True and hello["run_count"] == 0
        by_id = c.get(f"{API}/{hello['id']}")
        by_name = c.get(f"{API}/{'offboard%20CONTRACTOR'}")
    assert by_id.status_code == 200 and by_name.status_code == 200
    assert by_id.json()["definition"] == HELLO
    assert by_name.json()["name"] == "Offboard contractor"
    assert by_name.json()["definition"]["run_as"] == "manager"


# --------------------------------------------------------------------------- definitions


def test_create_update_and_delete_a_workflow(api: Api) -> None:
    doc = dict(HELLO, name="Greeter", description="v1")
    with api.client() as c:
        created = c.post(API, json=doc)
        assert created.status_code == 201, created.text
        wf = created.json()
        assert created.headers["location"] == f"{API}/{wf['id']}"
        assert (wf["version"], wf["enabled"], wf["definition"]) == (1, True, doc)
        problem(c.post(API, json=dict(doc, name="GREETER")), 409, "name-taken")
        same = c.put(f"{API}/{wf['id']}", json=doc)
        assert same.json()["version"] == 1  # nothing changed, no new version
        changed = c.put(f"{API}/greeter", json=dict(doc, description="v2", enabled=False))
        assert changed.status_code == 200
        assert (changed.json()["version"], changed.json()["enabled"]) == (2, False)
        assert changed.json()["definition"]["description"] == "v2"
        clash = c.put(f"{API}/{wf['id']}", json=dict(doc, name="hello"))
        problem(clash, 409, "name-taken")
        renamed = c.put(f"{API}/{wf['id']}", json=dict(doc, name="Greeter 2"))
        assert renamed.json()["name"] == "Greeter 2" and renamed.json()["version"] == 3
        disabled = c.post(API, json=dict(doc, name="Off", enabled=False))
        assert disabled.status_code == 201 and disabled.json()["enabled"] is False
        assert c.delete(f"{API}/{wf['id']}").status_code == 204
        gone = c.get(f"{API}/{wf['id']}")
        problem(gone, 404, "not-found")
        problem(c.delete(f"{API}/{wf['id']}"), 404, "not-found")
        problem(c.put(f"{API}/nope", json=doc), 404, "not-found")
    saved_by = api.wb.sql("select saved_by from workflow_versions where name = 'Off'")
    assert list(saved_by["saved_by"]) == ["api:editor"]


def test_422_lists_every_definition_issue(api: Api) -> None:
    doc = {
        "format": "wfbench/v1",
        "name": "Broken",
        "run_as": "nobody",
        "steps": [
            {"id": "a", "kind": "action", "action": "users.nope", "with": {}},
            {"id": "b", "kind": "action", "action": "core.log", "with": {"message": "{{ 1 + }}"}},
        ],
    }
    with api.client() as c:
        created = c.post(API, json=doc)
        updated = c.put(f"{API}/Hello", json=doc)
        bad_flag = c.put(f"{API}/Hello", json={"enabled": "yes"})
        not_object = c.post(API, json=[doc])
    body = problem(created, 422, "invalid-definition")
    codes = {(i["node"], i["code"]) for i in body["issues"]}
    assert {("a", "action.unknown"), ("b", "expr.syntax")} <= codes
    assert any(i["field"] == "run_as" for i in body["issues"])
    assert all(
        set(i) >= {"severity", "code", "node", "field", "message", "pointer"}
        for i in body["issues"]
    )
    assert len(body["errors"]) == len([i for i in body["issues"] if i["severity"] == "error"]) >= 3
    assert problem(updated, 422, "invalid-definition")["issues"] == body["issues"]
    assert problem(bad_flag, 422, "invalid-definition")["errors"][0]["pointer"] == "/enabled"
    problem(not_object, 422, "invalid-definition")
    assert api.wb.workflows.info("Hello").version == 1
