"""``notify.*`` (catalogue category ``notifications``): send messages.

Email is not sent anywhere: ``notify.email`` writes the message to the
directory's outbox table, where a notebook can read it.
"""

from __future__ import annotations

from pydantic import Field

from wfbench.actions.context import ActionContext
from wfbench.actions.effects import directory_of
from wfbench.actions.records import EmailSent, Params
from wfbench.actions.registry import ActionSpec

#: The catalogue category, as PRODUCT.md lists it (the action names use ``notify.``).
CATEGORY = "notifications"


class EmailParams(Params):
    """The email to send."""

    to: str = Field(min_length=3)
    """The recipient's email address."""

    subject: str = Field(max_length=998)
    """The subject line."""

    body: str
    """The message text."""


def _email(params: EmailParams, ctx: ActionContext) -> EmailSent:
    with directory_of(ctx) as d:
        return d.send_email(params.to, params.subject, params.body)


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        name="notify.email",
        category=CATEGORY,
        description="Send an email (it is written to the outbox table).",
        input_model=EmailParams,
        output_model=EmailSent,
        permissions=frozenset({"notifications:send"}),
        side_effects=True,
        handler=_email,
        callable_in_dry_run=True,
        batched=True,
    ),
)
