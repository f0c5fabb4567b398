"""``http.*``: call a remote HTTP API through a named connector.

A connector holds the base URL and the authentication (none, basic, bearer or
a header), with secrets read from environment variables; a step names the
connector and gives only the method, the path under the base URL, the query,
extra headers and a JSON body. The body field is called ``json`` in a
definition; the Python attribute is ``json_`` because ``BaseModel.json``
already exists.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from wfbench.actions.records import Output, Params
from wfbench.actions.registry import ActionSpec

CATEGORY = "http"

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class HttpRequestParams(Params):
    """The request to send through a connector."""

    connector: str = Field(min_length=1)
    """The name of the connector that holds the base URL and the authentication."""

    method: HttpMethod = "GET"
    """``GET`` (the default), ``POST``, ``PUT``, ``PATCH`` or ``DELETE``."""

    path: str = Field(default="/", pattern=r"^/([^/].*)?$", max_length=2048)
    """The path under the connector's base URL; starts with one ``/``."""

    query: dict[str, str | int | float | bool] | None = None
    """Query-string parameters."""

    headers: dict[str, str] | None = None
    """Extra request headers (the connector adds the authentication)."""

    json_: Any = Field(default=None, alias="json")
    """A JSON body to send; ``null`` sends no body."""


class HttpResponse(Output):
    """The response received."""

    status_code: int
    """The HTTP status code."""

    headers: dict[str, str]
    """The response headers (names in lower case)."""

    json_: Any = Field(default=None, alias="json")
    """The body parsed as JSON, or ``null`` if it is not JSON."""

    text: str
    """The body as text."""


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        name="http.request",
        category=CATEGORY,
        description="Send an HTTP request through a named connector and return the response.",
        input_model=HttpRequestParams,
        output_model=HttpResponse,
        permissions=frozenset({"http:call"}),
        # A call may change the remote system, so a dry run never sends it.
        side_effects=True,
    ),
)
