"""What :class:`~wfbench.directory.scim.ScimDirectory` stands on: the SCIM client per
connector, one request with its failures in words, paging, ``If-Match`` PATCHes, and a SCIM
user as a user record (the mapping is in :mod:`wfbench.directory.scim`'s docstring)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Self

import httpx2
from scim2_client import RequestNetworkException, SCIMClientException
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import EnterpriseUser, Error, PatchOp, SCIMException, SearchRequest

from wfbench.actions.records import Group, GroupRef, User
from wfbench.directory.scim_http import calling, http_client, last_status, request_timeout
from wfbench.directory.targets import ScimTarget
from wfbench.errors import ActionError, EffectUncertain, PermissionDenied


def _no_docstring_reading() -> None:
    """scim2-models reads its fields' descriptions from docstrings
    (``use_attribute_docstrings``): each model class it makes at run time (``PatchOp[User]``,
    ``ListResponse[…]``) then goes through ``inspect``/``ast``. CPython 3.11's ``ast`` is not
    safe across threads ("AST constructor recursion depth mismatch", gh-106905), so a batch's
    concurrent SCIM calls could fail a step. The descriptions are not used here: switched off
    on every scim2-models class, so the classes made from them do not read source either."""
    import scim2_models.base

    todo = [scim2_models.base.BaseModel]
    while todo:
        cls = todo.pop()
        cls.model_config["use_attribute_docstrings"] = False
        todo.extend(cls.__subclasses__())


_no_docstring_reading()

__all__ = ["PAGE", "ScimBase", "scim_user_fields", "user_record"]

#: Resources asked for per page when listing (the server may give fewer).
PAGE = 500
#: Reads and sends again of a membership change that met a concurrent one (412).
_MERGE_TRIES = 5
#: Not sent again after an unknown outcome.
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PROVIDERS: dict[str, Any] = {}
_CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
_CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
_PROVIDERS_LOCK = threading.Lock()


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _email_of(resource: Any) -> str:
    emails = list(resource.emails or ())
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    value = primary.value if primary is not None else resource.user_name
    return str(value or "").strip().lower()


def _created(resource: Any) -> str:
    created = resource.meta.created if resource.meta is not None else None
    return "" if created is None else created.strftime("%Y-%m-%dT%H:%M:%SZ")


class ScimBase:
    """A SCIM service's plumbing, within a run's permissions (the operations are
    :class:`~wfbench.directory.scim.ScimDirectory`'s). Thread-safe; ``changes`` lists what
    was changed, one line each, in order."""

    dry_run = False

    def __init__(
        self,
        target: ScimTarget,
        permissions: Iterable[str] | None = None,
        *,
        run_id: str | None = None,
    ) -> None:
        self.target = target
        self.permissions: frozenset[str] | None = (
            None if permissions is None else frozenset(permissions)
        )
        self.run_id = run_id
        self.changes: list[str] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self._http = http_client(target)
        self._scim: SyncSCIMClient | None = None
        self._scim_lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    @property
    def scim(self) -> SyncSCIMClient:
        """The SCIM client, its service description read once per base URL and process."""
        with self._scim_lock:
            if self._scim is None:
                client = SyncSCIMClient(self._http, raise_scim_errors=False)
                with _PROVIDERS_LOCK:
                    provider = _PROVIDERS.get(self.target.base_url)
                if provider is None:
                    self._call("GET", "discover the service", lambda **kw: client.discover())
                    with _PROVIDERS_LOCK:
                        _PROVIDERS[self.target.base_url] = client.provider
                else:
                    client.provider = provider
                self._scim = client
            return self._scim

    def _require(self, doing: str, *needed: str) -> None:
        if self.permissions is None:
            return
        missing = [p for p in needed if p not in self.permissions]
        if missing:
            raise PermissionDenied(
                f"{doing} needs {', '.join(missing)}, which the run-as role lacks; "
                "choose a role that has them (`wfbench roles`)"
            )

    @contextmanager
    def reporting(
        self, sink: Callable[[str], None], deadline: float | None = None
    ) -> Iterator[Self]:
        """Pass each change this thread makes to *sink*; requests respect *deadline*."""
        sinks: list[Callable[[str], None]] = self._local.__dict__.setdefault("sinks", [])
        sinks.append(sink)
        try:
            with calling(deadline):
                yield self
        finally:
            sinks.pop()

    def _note(self, done: str) -> None:
        with self._lock:
            self.changes.append(done)
        for sink in self._local.__dict__.get("sinks", ()):
            sink(done)

    def _call(self, method: str, doing: str, send: Callable[..., Any], *args: Any) -> Any:
        """One SCIM request; its failures in words (see :mod:`.scim_http`)."""
        where = f"SCIM connector {self.target.name!r} ({self.target.base_url})"
        try:
            answer = send(*args, timeout=request_timeout(self.target))
        except RequestNetworkException as exc:
            cause = exc.__cause__
            sent = not isinstance(cause, httpx2.ConnectError | httpx2.ConnectTimeout)
            if method in _WRITES and sent:
                raise EffectUncertain(
                    f"{where} gave no answer to {doing} ({type(cause).__name__}): the effect "
                    "may or may not have happened; it was not sent again (check the "
                    "directory before running it again)"
                ) from None
            raise ActionError(f"{where} could not {doing}: {type(cause).__name__}") from None
        except SCIMException as exc:  # a SCIM error the client raises (discovery's)
            raise self._refusal(int(exc.status or 0), str(exc.detail or ""), doing, where) from None
        except SCIMClientException as exc:
            status = last_status()
            if status is not None and status >= 400:
                raise self._refusal(status, str(exc), doing, where) from None
            raise ActionError(f"{where} answered {doing} unexpectedly: {exc}") from None
        if isinstance(answer, Error):
            raise self._refusal(int(answer.status or 0), answer.detail or "", doing, where)
        return answer

    def _refusal(self, status: int, detail: str, doing: str, where: str) -> ActionError:
        detail = detail.strip()
        if status in (401, 403):
            return ActionError(
                f"{where} refused the credentials ({status}) to {doing}; check the token in "
                f"${self.target.token_env} and what it may do"
            )
        if status == 412:
            return ActionError(
                f"{where}: the resource changed since it was read (412), so {doing} was not "
                "done; run again"
            )
        return ActionError(f"{where} refused to {doing} ({status}): {detail}")

    def _list(self, resource: str, doing: str, filter: str | None = None) -> list[Any]:
        """Every resource of a type (matching *filter*), page after page."""
        found: list[Any] = []
        start = 1
        while True:
            search: SearchRequest[Any] = SearchRequest(filter=filter, start_index=start, count=PAGE)
            page = self._call(
                "GET",
                doing,
                lambda s=search, **kw: self.scim.query(resource, query_parameters=s, **kw),
            )
            items = list(page.resources or ())
            found += items
            total = page.total_results or 0
            if not items or len(found) >= total:
                return found
            start += len(items)

    def _get(self, resource: str, id: str, doing: str) -> Any | None:
        try:
            return self._call("GET", doing, lambda **kw: self.scim.query(resource, id, **kw))
        except ActionError as exc:
            if "(404)" in str(exc):
                return None
            raise

    # -- records ----------------------------------------------------------------------------------

    def _record(self, resource: Any, groups: list[GroupRef] | None = None) -> User:
        fields = scim_user_fields(resource)
        manager_id = fields.pop("manager_id")
        manager = None
        if manager_id:
            found = self._get("User", manager_id, "read a manager")
            manager = _email_of(found) if found is not None else None
        if groups is None:
            groups = self._groups_of(resource.id)
        return User(**fields, manager_email=manager, groups=groups)

    def _groups_of(self, user_id: str) -> list[GroupRef]:
        found = self._list("Group", "list a user's groups", f"members.value eq {_quote(user_id)}")
        refs = [GroupRef(id=g.id, name=g.display_name or "") for g in found]
        return sorted(refs, key=lambda r: (r.name, r.id))

    def _find_user(self, *, id: str | None = None, email: str | None = None) -> Any | None:
        if id is not None:
            return self._get("User", id, f"read user {id}")
        assert email is not None
        address = email.strip().lower()
        found = self._list("User", f"find {address}", f"emails.value eq {_quote(address)}")
        if not found:
            found = self._list("User", f"find {address}", f"userName eq {_quote(address)}")
        return found[0] if found else None

    def _user(self, user_id: str) -> Any:
        found = self._find_user(id=user_id)
        if found is None:
            raise ActionError(f"no user with id {user_id!r}")
        return found

    def _group_resource(self, group_id: str) -> Any:
        found = self._get("Group", group_id, f"read group {group_id}")
        if found is None:
            raise ActionError(f"no group with id {group_id!r}")
        return found

    @staticmethod
    def _group(resource: Any) -> Group:
        return Group(
            id=resource.id,
            name=resource.display_name or "",
            description="",
            member_count=len(resource.members or ()),
        )

    def _patch(
        self, resource: Any, operations: list[dict[str, Any]], doing: str, *, merge: bool = False
    ) -> Any:
        """PATCH *resource* with ``If-Match`` its version. *merge*: the operations hold
        whatever else changed (a member added or removed by value), so a 412 (someone
        changed it since: the server did nothing) reads it again and sends again."""
        for _ in range(_MERGE_TRIES if merge else 1):
            op = PatchOp[type(resource)].model_validate({"Operations": operations})  # type: ignore[misc]
            try:
                return self._call(
                    "PATCH", doing, lambda r=resource, o=op, **kw: self.scim.modify(r, o, **kw)
                )
            except ActionError as exc:
                if not merge or "(412)" not in str(exc):
                    raise
            kind = resource.meta.resource_type if resource.meta is not None else "Group"
            fresh = self._get(kind, resource.id, doing)
            if fresh is None:
                raise ActionError(f"no {kind.lower()} with id {resource.id!r}")
            resource = fresh
        raise ActionError(
            f"SCIM connector {self.target.name!r}: {doing} kept meeting concurrent changes "
            f"(412, {_MERGE_TRIES} tries); run again"
        )


def scim_user_fields(resource: Any) -> dict[str, Any]:
    """A SCIM user's fields as a user record's (``manager_id`` instead of its email, no
    ``groups``)."""
    try:
        enterprise = resource[EnterpriseUser]
    except (KeyError, TypeError):
        enterprise = None
    name = resource.name
    user_type = (resource.user_type or "").strip().lower()
    manager = enterprise.manager if enterprise is not None else None
    return {
        "id": resource.id,
        "email": _email_of(resource),
        "first_name": (name.given_name if name else None) or "",
        "last_name": (name.family_name if name else None) or "",
        "department": (enterprise.department if enterprise is not None else None) or "",
        "employee_type": "contractor" if user_type == "contractor" else "employee",
        "manager_id": manager.value if manager is not None else None,
        "status": "suspended" if resource.active is False else "active",
        "mfa_enrolled": False,
        "created_at": _created(resource),
    }


def user_record(resource: Any, emails: dict[str, str], groups: list[GroupRef]) -> User:
    """A SCIM user as a user record, its manager's email taken from *emails* (id → email)."""
    fields = scim_user_fields(resource)
    manager_id = fields.pop("manager_id")
    return User(**fields, manager_email=emails.get(manager_id or ""), groups=groups)
