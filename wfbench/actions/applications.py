"""``applications.*``: grant a user access to an application, or take it away."""

from __future__ import annotations

from pydantic import Field

from wfbench.actions.context import ActionContext
from wfbench.actions.effects import directory_of
from wfbench.actions.records import Binding, Params
from wfbench.actions.registry import ActionSpec

CATEGORY = "applications"


class BindingParams(Params):
    """An application and a user."""

    application_id: str = Field(min_length=1)
    """The application's id."""

    user_id: str = Field(min_length=1)
    """The user's id."""


def _bind_user(params: BindingParams, ctx: ActionContext) -> Binding:
    with directory_of(ctx) as d:
        return d.bind_application(params.application_id, params.user_id)


def _unbind_user(params: BindingParams, ctx: ActionContext) -> Binding:
    with directory_of(ctx) as d:
        return d.unbind_application(params.application_id, params.user_id)


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        name="applications.bind_user",
        category=CATEGORY,
        description="Give a user access to an application.",
        input_model=BindingParams,
        output_model=Binding,
        permissions=frozenset({"applications:write"}),
        side_effects=True,
        handler=_bind_user,
        callable_in_dry_run=True,
        batched=True,
    ),
    ActionSpec(
        name="applications.unbind_user",
        category=CATEGORY,
        description="Take a user's access to an application away.",
        input_model=BindingParams,
        output_model=Binding,
        permissions=frozenset({"applications:write"}),
        side_effects=True,
        handler=_unbind_user,
        callable_in_dry_run=True,
        batched=True,
    ),
)
