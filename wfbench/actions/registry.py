"""The action catalogue: what each action takes, returns, needs and changes.

An :class:`ActionSpec` *declares* an action: its parameters (a pydantic input
model), its result (an output model), the permissions it needs, and whether it
has side effects (a dry run simulates those instead of running them). An
:class:`ActionRegistry` holds specs by name; :func:`builtin_registry` gives a
fresh one with every built-in, and :meth:`ActionRegistry.action` is how a
notebook adds its own Python function as a custom action.

A built-in category module (its pydantic models, and what it imports: ``http`` pulls in
``http.client``, ``ssl`` and ``email``) is imported on the first look-up of one of its
actions, so a run of ``core.log`` loads only ``core``; listing the catalogue loads them
all. Which module holds which built-in is :data:`BUILTIN_ACTIONS` (a test keeps it equal
to the modules' ``SPECS``), so names, ``in`` and ``len`` need no import.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from wfbench.errors import ActionRefused, NotFound
from wfbench.roles import PERMISSIONS

#: The pattern an action name must match: a category, a dot, a name (``users.get``).
ACTION_NAME_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
#: The pattern a category must match.
CATEGORY_PATTERN = r"^[a-z][a-z0-9_]*$"
#: The order the catalogue lists the built-in categories in; others follow, sorted.
CATEGORY_ORDER: tuple[str, ...] = (
    "users",
    "groups",
    "devices",
    "applications",
    "commands",
    "notifications",
    "http",
    "core",
)

#: Every built-in action, by the module of :mod:`wfbench.actions` that declares it.
BUILTIN_ACTIONS: dict[str, tuple[str, ...]] = {
    "users": (
        "users.activate",
        "users.create",
        "users.delete",
        "users.get",
        "users.reset_mfa",
        "users.search",
        "users.suspend",
        "users.update",
    ),
    "groups": (
        "groups.add_user",
        "groups.create",
        "groups.get",
        "groups.list_members",
        "groups.remove_user",
    ),
    "devices": ("devices.erase", "devices.list_for_user", "devices.lock", "devices.restart"),
    "applications": ("applications.bind_user", "applications.unbind_user"),
    "commands": ("commands.run",),
    "notify": ("notify.email",),
    "http": ("http.request",),
    "core": ("core.fail", "core.log", "core.set", "core.wait"),
}
#: Each built-in action's module.
_BUILTIN_MODULE: dict[str, str] = {
    name: module for module, names in BUILTIN_ACTIONS.items() for name in names
}

F = TypeVar("F", bound=Callable[..., Any])


def parameter_names(model: type[BaseModel]) -> list[str]:
    """The names a definition uses for *model*'s fields (the alias where there is one)."""
    return [f.alias or name for name, f in model.model_fields.items()]


@dataclass(frozen=True)
class ActionSpec:
    """The declaration of one action: name, models, permissions, side effects."""

    name: str
    """The catalogue name, ``<category>.<action>``, for example ``users.get``."""

    category: str
    """The catalogue section the action is listed under, for example ``users``."""

    description: str
    """One sentence: what the action does."""

    input_model: type[BaseModel]
    """The parameters (a step's ``with``)."""

    output_model: type[BaseModel]
    """What the action returns (always an object)."""

    permissions: frozenset[str]
    """Every permission the run-as role must hold to run the action."""

    side_effects: bool
    """Whether the action changes anything; a dry run simulates such actions."""

    handler: Callable[..., Any] | None = None
    """The Python function that does the work; ``None`` until effects are attached."""

    require_one_of: tuple[str, ...] = ()
    """Parameters of which at least one must be given (``users.get``: ``id`` or ``email``)."""

    callable_in_dry_run: bool = False
    """A dry run calls the handler to show what it would do: its only writes go to the
    run's directory, which a dry run rolls back (the built-ins), or it honours
    ``ctx.dry_run`` and writes nothing then. A dry run only notes that a side-effecting
    action that is not would run ("simulated")."""

    batched: bool = False
    """The handler writes only through the run's directory and checks everything before its
    first write, so its change joins the run's group-commit batch: a refusal leaves the
    batch clean, and a change made is not undone alone (not even if the step's deadline
    passed meanwhile). Other side-effecting handlers get a transaction of their own,
    rolled back if they fail or return after their deadline."""

    exclusive: bool = True
    """The handler runs while holding the run's directory (one handler at a time per run).
    Handlers that never touch ``ctx.directory`` and may block (waits, HTTP calls) say
    ``False`` so that loop iterations with ``concurrency`` overlap."""

    idempotent: bool | Callable[[Any], bool] = False
    """Calling the handler twice with the same parameters has the effect of calling it
    once (or a function of the parameters that says so, as ``http.request`` with GET,
    HEAD, PUT or DELETE). Only such an action is called again after an attempt whose
    outcome is unknown (its deadline passed while it ran, its worker was lost)."""

    remote: bool = False
    """The handler uses only its parameters (and ``ctx.connectors``), never
    ``ctx.directory``: it may run on a Dask worker when the run has an executor. It never
    holds the run's directory, so loop iterations and batch runs call it at once."""

    def __post_init__(self) -> None:
        # Accept any iterable at run time; keep the declared immutable types.
        object.__setattr__(self, "permissions", frozenset(self.permissions))
        object.__setattr__(self, "require_one_of", tuple(self.require_one_of))

    def is_idempotent(self, params: Any) -> bool:
        """Whether calling the handler again with ``params`` cannot repeat an effect."""
        if not self.side_effects:
            return True
        if callable(self.idempotent):
            return bool(self.idempotent(params))
        return self.idempotent

    @property
    def parameters(self) -> list[str]:
        """Parameter names as a definition's ``with`` spells them, in model order."""
        return parameter_names(self.input_model)

    @property
    def required_parameters(self) -> list[str]:
        """Parameters that must always be given."""
        model = self.input_model
        return [f.alias or n for n, f in model.model_fields.items() if f.is_required()]

    @property
    def output_fields(self) -> list[str]:
        """Top-level fields of the output, as expressions read them."""
        return parameter_names(self.output_model)


def _is_model(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


class ActionRegistry:
    """Action specs by name; the catalogue a workbench validates and runs against."""

    def __init__(self, specs: Iterable[ActionSpec] = ()) -> None:
        self._specs: dict[str, ActionSpec] = {}
        # Built-ins not imported yet: action name -> the module of wfbench.actions.
        self._pending: dict[str, str] = {}
        self._lock = threading.Lock()
        for spec in specs:
            self.register(spec)

    def _load(self, module: str) -> None:
        """Import the built-in category ``module`` and register its specs."""
        specs = importlib.import_module(f"wfbench.actions.{module}").SPECS
        with self._lock:
            if not any(self._pending.get(s.name) == module for s in specs):
                return  # loaded meanwhile by another thread
            for spec in specs:
                self._specs[spec.name] = spec
            for spec in specs:
                self._pending.pop(spec.name, None)

    def _load_all(self) -> None:
        for module in dict.fromkeys(self._pending.values()):
            self._load(module)

    def _spec(self, name: str) -> ActionSpec | None:
        module = self._pending.get(name)
        if module is not None:
            self._load(module)
        return self._specs.get(name)

    def register(self, spec: ActionSpec) -> ActionSpec:
        """Add *spec*; refuse it, naming every problem at once, if it does not fit."""
        problems = self._problems(spec)
        if problems:
            lines = [f"Cannot register action {spec.name!r}:"]
            lines += [f"  - {p}" for p in problems]
            if any(p.startswith("unknown permission") for p in problems):
                lines.append("Known permissions: " + ", ".join(PERMISSIONS) + ".")
            raise ActionRefused("\n".join(lines))
        self._specs[spec.name] = spec
        return spec

    def _problems(self, spec: ActionSpec) -> list[str]:
        problems: list[str] = []
        if not re.fullmatch(ACTION_NAME_PATTERN, spec.name):
            problems.append(
                "the name must be '<category>.<action>' in lower case, for example "
                "'users.get' (letters, digits, underscores; each part starts with a letter)"
            )
        elif spec.name in self:
            problems.append("an action with this name is already registered; choose another name")
        if not re.fullmatch(CATEGORY_PATTERN, spec.category):
            problems.append(f"the category {spec.category!r} is not a lower-case identifier")
        unknown = sorted(p for p in spec.permissions if p not in PERMISSIONS)
        for perm in unknown:
            close = difflib.get_close_matches(perm, PERMISSIONS, n=2)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            problems.append(f"unknown permission {perm!r}{hint}")
        for attr in ("input_model", "output_model"):
            if not _is_model(getattr(spec, attr)):
                problems.append(f"{attr} must be a pydantic BaseModel subclass")
        if spec.handler is not None and not callable(spec.handler):
            problems.append("the handler must be callable")
        if spec.require_one_of and _is_model(spec.input_model):
            known = set(spec.parameters)
            for name in spec.require_one_of:
                if name not in known:
                    problems.append(f"require_one_of names {name!r}, which is not a parameter")
        return problems

    def action(
        self,
        name: str,
        *,
        category: str | None = None,
        description: str | None = None,
        input: type[BaseModel],
        output: type[BaseModel],
        permissions: Iterable[str] = (),
        side_effects: bool = True,
        require_one_of: Sequence[str] = (),
        callable_in_dry_run: bool = False,
        batched: bool = False,
        exclusive: bool = True,
        dry_run_safe: bool = False,
        idempotent: bool = False,
        remote: bool = False,
    ) -> Callable[[F], F]:
        """Register the decorated function as the handler of a custom action.

        *category* defaults to the part of *name* before the first dot and
        *description* to the first line of the function's docstring. Custom
        actions are assumed to have side effects unless told otherwise, so a
        dry run does not call them. ``dry_run_safe=True`` is the former single flag and
        means both ``callable_in_dry_run`` and ``batched``. ``idempotent`` and ``remote``
        are described on :class:`ActionSpec`. The function is returned unchanged.
        """

        def decorate(func: F) -> F:
            doc = inspect.getdoc(func) or ""
            self.register(
                ActionSpec(
                    name=name,
                    category=category if category is not None else name.split(".", 1)[0],
                    description=description if description is not None else _first_line(doc),
                    input_model=input,
                    output_model=output,
                    permissions=frozenset(permissions),
                    side_effects=side_effects,
                    handler=func,
                    require_one_of=tuple(require_one_of),
                    callable_in_dry_run=callable_in_dry_run or dry_run_safe,
                    batched=batched or dry_run_safe,
                    exclusive=exclusive and not remote,
                    idempotent=idempotent,
                    remote=remote,
                )
            )
            return func

        return decorate

    def get(self, name: str) -> ActionSpec:
        """The spec called *name*; :class:`~wfbench.errors.NotFound` naming close matches."""
        spec = self._spec(name)
        if spec is not None:
            return spec
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise NotFound(
            f"There is no action {name!r}.{hint} Run `wfbench actions` to list every action."
        )

    def find(self, name: str) -> ActionSpec | None:
        """The spec called *name*, or ``None``."""
        return self._spec(name)

    def __contains__(self, name: object) -> bool:
        return name in self._specs or name in self._pending

    def __iter__(self) -> Iterator[ActionSpec]:
        self._load_all()
        return iter(sorted(self._specs.values(), key=lambda s: s.name))

    def __len__(self) -> int:
        return len(self._specs) + len(self._pending)

    def names(self) -> list[str]:
        """Every action name, sorted (no category module is imported for it)."""
        return sorted([*self._specs, *self._pending])

    def categories(self) -> dict[str, list[ActionSpec]]:
        """Specs by category: built-in categories first, in catalogue order, then the rest."""
        found: dict[str, list[ActionSpec]] = {}
        for spec in self:
            found.setdefault(spec.category, []).append(spec)

        def rank(category: str) -> tuple[int, str]:
            if category in CATEGORY_ORDER:
                return (CATEGORY_ORDER.index(category), "")
            return (len(CATEGORY_ORDER), category)

        return {c: found[c] for c in sorted(found, key=rank)}

    def copy(self) -> ActionRegistry:
        """A new registry with the same specs; adding to it leaves this one unchanged."""
        new = ActionRegistry()
        with self._lock:
            new._specs = dict(self._specs)
            new._pending = dict(self._pending)
        return new


def _first_line(doc: str) -> str:
    return doc.strip().splitlines()[0].strip() if doc.strip() else ""


def is_builtin(spec: ActionSpec) -> bool:
    """Whether ``spec`` is one of wfbench's own actions, as its module declares it (not a
    custom action, nor a built-in whose handler was replaced, as a test's sandbox does):
    only such handlers are called on the run's own thread with its directory."""
    module = _BUILTIN_MODULE.get(spec.name)
    if module is None:
        return False
    specs = importlib.import_module(f"wfbench.actions.{module}").SPECS
    return any(spec is own for own in specs)


def builtin_registry() -> ActionRegistry:
    """A fresh registry holding every built-in action; each category module is imported
    on the first look-up of one of its actions (see the module docstring)."""
    registry = ActionRegistry()
    registry._pending = dict(_BUILTIN_MODULE)
    return registry
