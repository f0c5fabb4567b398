"""The "+" panel: what to add (an action by category and type, an if-else, a loop) and where.

Where depends on what is selected: after a step (or at the start, from the
trigger), inside the *then* or *else* branch of an if-else, or inside a loop's
body. An action is found by typing in *find action* (a type-ahead list of the whole
catalogue: a pick chooses its category and action below), or by category and
type in the two lists. The panel only gathers the choice; ``on_add(kind, action, place, node_id)``
does the edit, with ``place`` one of ``("after", id)`` (``id`` may be the
trigger) or ``(branch, id)`` for ``then``/``else``/``steps``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from wfbench.actions import ActionRegistry
from wfbench.widgets.base import button
from wfbench.widgets.graph import TRIGGER
from wfbench.widgets.typeahead import TypeAhead

Place = tuple[str, str]
OnAdd = Callable[[str, str | None, Place, str], None]

_BRANCH_LABEL = {"then": "inside then", "else": "inside else", "steps": "inside the loop body"}


def places_for(
    element_id: str, kind: str | None, branch: str | None = None, owner: str | None = None
) -> list[tuple[str, Place]]:
    """The places a new node can go, relative to the selected element."""
    if kind == "placeholder" and owner and branch:
        return [(f"{_BRANCH_LABEL[branch]} of {owner}", (branch, owner))]
    if element_id == TRIGGER or kind == "trigger":
        return [("at the start (after the trigger)", ("after", TRIGGER))]
    places = [(f"after {element_id}", ("after", element_id))]
    if kind == "if_else":
        places += [
            (f"inside then of {element_id}", ("then", element_id)),
            (f"inside else of {element_id}", ("else", element_id)),
        ]
    elif kind == "loop":
        places.append((f"inside the body of {element_id}", ("steps", element_id)))
    return places


class AddPanel:
    """Choose kind, category, action and place, then **Add**.

    Code twins: ``kind_select.value``, ``search.value`` (or ``search.pick``),
    ``category_select.value``, ``action_select.value``, ``place_select.value``, ``id_text.value``,
    ``confirm_button.click()``, ``cancel_button.click()``.
    """

    def __init__(
        self,
        catalogue: ActionRegistry,
        places: list[tuple[str, Place]],
        suggest_id: Callable[[str, str | None], str],
        on_add: OnAdd,
        on_cancel: Callable[[], None],
    ) -> None:
        self.catalogue = catalogue
        self.suggest_id = suggest_id
        self.on_add = on_add
        self._categories = catalogue.categories()
        self.kind_select = w.ToggleButtons(
            options=[("Action", "action"), ("If-else", "if_else"), ("Loop", "loop")],
            value="action",
        )
        self.kind_select.style.button_width = "80px"
        self.search = TypeAhead(
            mode="choice",
            description="find action",
            placeholder="type part of its name, e.g. suspend",
            layout=w.Layout(width="100%"),
        )
        self.search.suggestions = [
            {"value": spec.name, "kind": "", "text": spec.description}
            for specs in self._categories.values()
            for spec in specs
        ]
        self.search.observe(self._searched)
        self.category_select = w.Dropdown(options=list(self._categories), description="category")
        self.action_select = w.Dropdown(description="action", layout=w.Layout(width="100%"))
        self.action_help = w.HTML()
        self.place_select = w.Dropdown(
            options=places, description="where", layout=w.Layout(width="100%")
        )
        self.id_text = w.Text(description="id", layout=w.Layout(width="100%"))
        self.confirm_button = button("Add", style="success", icon="plus")
        self.cancel_button = button("Cancel")
        self.confirm_button.on_click(lambda _: self._confirm())
        self.cancel_button.on_click(lambda _: on_cancel())
        self.kind_select.observe(self._kind_changed, names="value")
        self.category_select.observe(self._category_changed, names="value")
        self.action_select.observe(self._action_changed, names="value")
        self.action_box = w.VBox(
            [self.search.box, self.category_select, self.action_select, self.action_help]
        )
        self.widget = w.VBox(
            [
                w.HTML("<h4 style='margin:2px 0'>Add a step</h4>"),
                self.kind_select,
                self.action_box,
                self.place_select,
                self.id_text,
                w.HBox([self.cancel_button, self.confirm_button]),
            ]
        )
        self._category_changed({"new": self.category_select.value})

    def _kind_changed(self, change: Mapping[str, Any]) -> None:
        is_action = change["new"] == "action"
        self.action_box.layout.display = None if is_action else "none"
        self._suggest()

    def _category_changed(self, change: Mapping[str, Any]) -> None:
        specs = self._categories.get(change["new"], [])
        self.action_select.options = [
            (f"{s.name.split('.', 1)[1]} — {s.description}", s.name) for s in specs
        ]
        if specs:
            self.action_select.value = specs[0].name
        self._suggest()

    def _action_changed(self, change: Mapping[str, Any]) -> None:
        spec = self.catalogue.find(str(change["new"]))
        if spec is not None:
            perms = ", ".join(sorted(spec.permissions)) or "no permission"
            self.action_help.value = f"<span style='color:#666'>needs {perms}</span>"
        self._suggest()

    def _searched(self, change: Mapping[str, Any]) -> None:
        if self.catalogue.find(str(change["new"]).strip()) is not None:
            self.choose_action(str(change["new"]).strip())

    def _suggest(self) -> None:
        kind = str(self.kind_select.value)
        action = self.action_select.value if kind == "action" else None
        self.id_text.value = self.suggest_id(kind, action)

    def choose_action(self, action: str) -> None:
        """Pick an action by name: its category, then the action (as a person does)."""
        spec = self.catalogue.get(action)
        self.kind_select.value = "action"
        self.category_select.value = spec.category
        self.action_select.value = spec.name

    def _confirm(self) -> None:
        kind = str(self.kind_select.value)
        action = str(self.action_select.value) if kind == "action" else None
        self.on_add(kind, action, self.place_select.value, self.id_text.value.strip())
