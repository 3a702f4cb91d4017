"""The desk's gatekeeper: what a request must show before the app sees it.

A local web server is reachable by every page the reviewer's browser opens, so:

- the Host header must name the desk itself (a rebound DNS name is refused), and an Origin,
  when sent, must be the desk's own;
- every state-changing request must carry the per-server token (the desk's page holds it;
  another site cannot read it) and come from the desk's origin;
- request bodies are bounded, and only GET, HEAD and POST are served;
- every response forbids framing, sniffing, referrers and any script or style not the desk's.

Pure ASGI middleware, so it runs before routing and holds for every route.
"""

from __future__ import annotations

import hmac
import json
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
        await self.app(scope, _bounded(receive), _with_headers(send))

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
        if length is None or not length.isdigit():
            return 411, "a request body needs a Content-Length"
        if int(length) > MAX_BODY_BYTES:
            return 413, f"request body over {MAX_BODY_BYTES} bytes"
        if not headers.get("content-type", "").startswith("application/json"):
            return 415, "send JSON (Content-Type: application/json)"
        return None


def _bounded(receive: Receive) -> Receive:
    """Stop reading a body that grows past the bound (its Content-Length lied)."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise ValueError(f"request body over {MAX_BODY_BYTES} bytes")
        return message

    return bounded


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
