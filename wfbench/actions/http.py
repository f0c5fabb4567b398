"""``http.*``: call a remote HTTP API through a named connector.

A connector holds the base URL and the authentication (none, basic, bearer or
a header), with secrets read from environment variables; a step names the
connector and gives only the method, the path under the base URL, the query,
extra headers and a JSON body. The body field is called ``json`` in a
definition; the Python attribute is ``json_`` because ``BaseModel.json``
already exists.

Secrets never leave the environment variables they are read from: they are not
in the parameters, the output or any error message (a value the server echoes
back is replaced by ``***`` in every form :mod:`wfbench.actions.redaction` knows:
plain, JSON- and ``\\u``-escaped, URL-encoded, base64, and a start of one left
where a text is cut), and authentication headers are sent with the first request only,
never with a redirect (to another host or this one). The client is ``httpx2``'s, the
one under the SCIM directories. :func:`~wfbench.actions.redaction.redact` masks
secret-looking keys in anything about to be recorded.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import urllib.parse
from typing import Any, Literal

import httpx2
from pydantic import Field

from wfbench.actions.context import ActionContext, Connector
from wfbench.actions.records import Output, Params
from wfbench.actions.redaction import Scrubber
from wfbench.actions.registry import ActionSpec
from wfbench.errors import ActionError, EffectUncertain, StepTimeout

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


#: The most characters of a response body kept in ``text``.
MAX_TEXT = 100_000
#: The largest response body read (bytes); a larger one fails the step.
MAX_BODY = 10_000_000
#: The most characters of an error response's body quoted in the step's error.
MAX_SNIPPET = 200


def _env(connector: Connector, variable: str | None, setting: str, what: str) -> str:
    """The secret in the environment variable *variable* (its name, never its value, in errors)."""
    if not variable:
        raise ActionError(
            f"connector {connector.name!r} uses {connector.auth} authentication but sets no "
            f"{setting}; name the environment variable that holds its {what}"
        )
    value = os.environ.get(variable)
    if not value:
        raise ActionError(
            f"the environment variable {variable} is not set; connector {connector.name!r} "
            f"reads its {what} from it"
        )
    return value


def _authentication(connector: Connector) -> tuple[dict[str, str], list[str]]:
    """The headers that authenticate a request, and the secret strings they hold."""
    if connector.auth == "none":
        return {}, []
    if connector.auth == "basic":
        user = _env(connector, connector.username_env, "username_env", "username")
        password = _env(connector, connector.password_env, "password_env", "password")
        credential = f"{user}:{password}"
        token = base64.b64encode(credential.encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}, [password, credential, token]
    if connector.auth == "bearer":
        token = _env(connector, connector.token_env, "token_env", "token")
        return {"Authorization": f"Bearer {token}"}, [token]
    if connector.auth == "header":
        if not connector.header_name:
            raise ActionError(
                f"connector {connector.name!r} uses header authentication but sets no "
                "header_name; name the header that carries the token"
            )
        token = _env(connector, connector.token_env, "token_env", "token")
        return {connector.header_name: token}, [token]
    raise ActionError(
        f"connector {connector.name!r} has unknown authentication {connector.auth!r}; "
        "use none, basic, bearer or header"
    )


def _query_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decode(body: bytes, answer: httpx2.Response) -> str:
    charset = answer.charset_encoding or "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _response_headers(answer: httpx2.Response) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in answer.headers.multi_items():
        key = name.lower()
        if key == "set-cookie":
            continue
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def _content_type(answer: httpx2.Response) -> str:
    return answer.headers.get("content-type", "text/plain").split(";")[0].strip().lower()


def _response(answer: httpx2.Response, body: bytes, scrub: Scrubber) -> HttpResponse:
    text = _decode(body, answer)
    content_type = _content_type(answer)
    parsed: Any = None
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
    return HttpResponse.model_validate(
        {
            "status_code": answer.status_code,
            "headers": scrub(_response_headers(answer)),
            "json": scrub(parsed),
            "text": scrub.cut(text, MAX_TEXT),  # masked before the cut, then at it
        }
    )


#: The methods HTTP defines as idempotent (RFC 9110 9.2.2): only these are sent again after
#: an attempt whose outcome is unknown.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: Redirects followed at most (as urllib did); the last 3xx is then the answer.
MAX_REDIRECTS = 10
_CLIENT: httpx2.Client | None = None
_CLIENT_LOCK = threading.Lock()


def _client() -> httpx2.Client:
    """One pooled client for every ``http.request`` of the process; it never follows a
    redirect by itself (:func:`_send` does, without the credentials)."""
    global _CLIENT
    with _CLIENT_LOCK:
        if _CLIENT is None:
            _CLIENT = httpx2.Client(follow_redirects=False)
        return _CLIENT


def _latin1(headers: dict[str, str]) -> dict[bytes, bytes]:
    """Headers as HTTP/1.1 carries them (ISO-8859-1, as urllib sent them)."""
    return {name.encode("latin-1"): value.encode("latin-1") for name, value in headers.items()}


def _send(
    method: str,
    url: str,
    headers: dict[str, str],
    auth: dict[str, str],
    data: bytes | None,
    timeout: float,
) -> httpx2.Response:
    """Send, following redirects as a browser does, the credentials on the first request
    only: a redirect, to this host or another, never carries them (urllib's
    "unredirected" headers, kept)."""
    client = _client()
    request = client.build_request(
        method, url, headers=_latin1({**headers, **auth}), content=data, timeout=timeout
    )
    for _ in range(MAX_REDIRECTS):
        answer = client.send(request, stream=True)
        location = answer.headers.get("location")
        if not answer.is_redirect or not location:
            return answer
        target = request.url.join(location)
        if target.scheme not in ("http", "https"):
            return answer
        answer.close()
        if answer.status_code in (301, 302, 303) and method != "HEAD":
            method, data = "GET", None
        kept = {
            k: v
            for k, v in headers.items()
            if data is not None or k.lower() not in ("content-type", "content-length")
        }
        request = client.build_request(
            method, target, headers=_latin1(kept), content=data, timeout=timeout
        )
    return client.send(request, stream=True)


def _read(answer: httpx2.Response) -> bytes:
    body = bytearray()
    for chunk in answer.iter_bytes():
        body += chunk
        if len(body) > MAX_BODY:
            break
    return bytes(body)


def _request(params: HttpRequestParams, ctx: ActionContext) -> HttpResponse:
    connector = ctx.connectors.get(params.connector)
    if connector is None:
        known = ", ".join(sorted(ctx.connectors)) or "none are configured"
        raise ActionError(f"there is no connector {params.connector!r}; known connectors: {known}")
    scheme = urllib.parse.urlsplit(connector.base_url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ActionError(
            f"connector {connector.name!r} has base URL {connector.base_url!r}; "
            "only http:// and https:// URLs can be called"
        )
    auth, secrets = _authentication(connector)
    scrub = Scrubber(secrets)
    target = connector.base_url.rstrip("/") + urllib.parse.quote(
        params.path, safe="/:@!$&'()*+,;=-._~%?"
    )
    url = target
    if params.query:
        pairs = [(k, _query_value(v)) for k, v in params.query.items()]
        url += ("&" if "?" in target else "?") + urllib.parse.urlencode(pairs)
    headers = dict(params.headers or {})
    data = None
    if params.json_ is not None:
        data = json.dumps(params.json_).encode("utf-8")
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"

    ctx.check()
    timeout = connector.timeout_s
    left = ctx.remaining()
    if left is not None:
        timeout = max(min(timeout, left), 0.001)
    label = f"{params.method} {target}"
    unknown = (
        ""
        if params.method in IDEMPOTENT_METHODS
        else (": the effect may or may not have happened; it was not sent again")
    )
    try:
        answer = _send(params.method, url, headers, auth, data, timeout)
        try:
            body = _read(answer)
        finally:
            answer.close()
    except httpx2.TimeoutException as error:
        left = ctx.remaining()
        if left is not None and left <= 0:
            raise StepTimeout("the step ran past its timeout_s") from None
        sent = not isinstance(error, httpx2.ConnectTimeout | httpx2.PoolTimeout)
        if sent and unknown:
            raise EffectUncertain(f"{label} timed out after {timeout:g} s{unknown}") from None
        raise ActionError(f"{label} timed out after {timeout:g} s") from None
    except httpx2.TransportError as error:
        detail = scrub.text(str(error) or type(error).__name__)
        sent = not isinstance(error, httpx2.ConnectError | httpx2.UnsupportedProtocol)
        if sent and unknown and isinstance(error, httpx2.ReadError | httpx2.RemoteProtocolError):
            raise EffectUncertain(f"{label} got no answer ({detail}){unknown}") from None
        raise ActionError(f"{label} failed: {detail}") from None
    except (httpx2.InvalidURL, ValueError) as error:  # a header value it refuses: may quote it
        raise ActionError(scrub.text(f"{label} could not be sent: {error}")) from None
    if len(body) > MAX_BODY:
        raise ActionError(f"{label} answered with more than {MAX_BODY} bytes; ask for less")
    if answer.status_code >= 400:
        snippet = scrub.cut(_decode(body, answer).strip(), MAX_SNIPPET)
        raise ActionError(scrub.text(f"{label} answered {answer.status_code}: {snippet}"))
    return _response(answer, body, scrub)


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
        handler=_request,
        exclusive=False,  # a network call that may block; never touches the directory
        # It uses only its parameters and connectors: a Dask executor may run it.
        remote=True,
        idempotent=lambda params: params.method in IDEMPOTENT_METHODS,
    ),
)
