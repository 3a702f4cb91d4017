"""The desk's gatekeeper: what a request must show before the app sees it.

A local web server is reachable by every page the reviewer's browser opens, so:

- the Host header must name the desk itself (a rebound DNS name is refused), and an Origin,
  when sent, must be the desk's own;
- every state-changing request must carry the per-server token (the desk's page holds it;
  another site cannot read it) and come from the desk's origin;
- request bodies are JSON (the media type exactly), framed by one Content-Length (never also
  chunked: a body two parsers could frame differently is how requests are smuggled), read
  whole and bounded before the app sees them; only GET, HEAD and POST are served;
- every response forbids framing, sniffing, referrers and any script or style not the desk's.

Pure ASGI middleware, so it runs before routing and holds for every route.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_HEADER = "x-desk-token"
#: Largest request body accepted (a correction or a term is a few hundred bytes).
MAX_BODY_BYTES = 64 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD"})
_LENGTH_RE = re.compile("[0-9]{1,18}")
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
     b"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class Guard:
    """Refuse what the desk must not serve; add the security headers to what it does."""

    def __init__(self, app: ASGIApp, token: str, hosts: set[str] | None) -> None:
        """``hosts``: the Host values accepted (``host:port``); None accepts any (public)."""
        self.app = app
        self.token = token
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a request, or refuse it before the app sees it."""
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return  # no websockets
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        problem = self._refusal(scope["method"], headers)
        if problem is not None:
            await _refuse(send, *problem)
            return
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, _with_headers(send))
            return
        try:
            body = await _read_body(receive, int(headers["content-length"]))
        except _ClientGone:
            return  # nobody to answer
        except _BadBody as err:
            await _refuse(send, err.status, str(err))
            return
        await self.app(scope, _replaying(body, receive), _with_headers(send))

    def _refusal(self, method: str, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if self.hosts is not None and host.lower() not in self.hosts:
            return 421, f"this desk answers to {sorted(self.hosts)[0]}, not {host[:80]!r}"
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return 403, "requests from other sites are refused"
        if method in SAFE_METHODS:
            return None
        if method != "POST":
            return 405, f"{method[:10]} is not served here"
        if origin is None and headers.get("sec-fetch-site") not in (None, "same-origin"):
            return 403, "requests from other sites are refused"
        if not hmac.compare_digest(headers.get(TOKEN_HEADER, "").encode(),
                                   self.token.encode()):
            return 403, "missing or wrong desk token: reload the desk's page"
        length = headers.get("content-length")
        if length is not None and "transfer-encoding" in headers:
            return 400, "a request body has a Content-Length or a Transfer-Encoding, not both"
        if length is None:
            return 411, "a request body needs a Content-Length"
        if not _LENGTH_RE.fullmatch(length):
            return (413, f"request body over {MAX_BODY_BYTES} bytes") if length.isascii() \
                and length.isdigit() else (400, "the Content-Length is not a number")
        if int(length) > MAX_BODY_BYTES:
            return 413, f"request body over {MAX_BODY_BYTES} bytes"
        if _media_type(headers.get("content-type", "")) != "application/json":
            return 415, "send JSON (Content-Type: application/json)"
        return None


def _media_type(content_type: str) -> str:
    """``type/subtype``, parameters dropped: compared whole (``application/jsonp`` is not JSON)."""
    return content_type.partition(";")[0].strip().lower()


class _BadBody(Exception):
    """A request body the desk will not read further; the message is the one-line answer."""

    def __init__(self, status: int, problem: str) -> None:
        super().__init__(problem)
        self.status = status


class _ClientGone(Exception):
    """The client closed the connection before its body was complete."""


async def _read_body(receive: Receive, length: int) -> bytes:
    """The whole body, read before the app runs, never more than its bound.

    Reading it here means no route can be handed a body over the bound, or one that ends
    early, and no app code meets a client that left half-way (Starlette's
    ``ClientDisconnect`` would be a traceback).

    Raises:
        _BadBody: the body is over the bound, or not as long as its Content-Length says.
        _ClientGone: the client disconnected first.
    """
    parts: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        if message["type"] != "http.request":
            continue
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > MAX_BODY_BYTES:
            raise _BadBody(413, f"request body over {MAX_BODY_BYTES} bytes")
        if seen > length:
            raise _BadBody(400, "the request body is longer than its Content-Length")
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    if seen != length:
        raise _BadBody(400, "the request body is shorter than its Content-Length")
    return b"".join(parts)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """Give the app the body already read; after it, what the server says (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
        await send(message)

    return sending


async def _refuse(send: Send, status: int, problem: str) -> None:
    body = json.dumps({"error": problem}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})
