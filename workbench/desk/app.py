"""The desk's web app: one page, its script and style, and a small JSON API.

Starlette, for routing and requests, under :mod:`workbench.desk.guard`. The page is static:
every piece of run text reaches it as JSON and is put into the page as text (never as HTML),
so an article's ``<script>`` shows as what it is. No route takes a file path: articles are
looked up by id in the run's index, and the only files served are the desk's own three.

Everything a request brings (a JSON body, a query parameter) passes :func:`_json` or
:func:`_query`, which refuse a lone surrogate in any string or key: no file, database or
terminal can hold one, so it would otherwise fail deep inside a route. What a person enters
is then checked by the one rule for entered text (``text.entered``) where it is stored.
"""

from __future__ import annotations

import json
import logging
import re
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from workbench.desk.concordance import concordance
from workbench.desk.guard import MAX_BODY_BYTES, Guard
from workbench.desk.labels import LabelDesk, relabel_request
from workbench.desk.names import NameDesk, name_request
from workbench.desk.session import DeskError, DeskSession
from workbench.desk.terms import TermDesk, term_request
from workbench.errors import WorkbenchError
from workbench.text.normalize import parse_json

logger = logging.getLogger(__name__)
_STATIC = resources.files("workbench.desk") / "static"
_ASSETS = {"desk.js": "text/javascript; charset=utf-8",
           "relabel.js": "text/javascript; charset=utf-8",
           "names.js": "text/javascript; charset=utf-8", "desk.css": "text/css; charset=utf-8"}


def create_app(session: DeskSession, terms: TermDesk, token: str,
               hosts: set[str] | None) -> Guard:
    """The desk for one run, behind its guard (``hosts``: accepted Host values)."""
    page = (_STATIC / "desk.html").read_text("utf-8").replace("{{token}}", token)
    assets = {name: (_STATIC / name).read_bytes() for name in _ASSETS}
    labels = LabelDesk(session)
    names = NameDesk(terms)

    def index(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in assets:
            return _error(DeskError("not found", 404))
        return Response(assets[name], media_type=_ASSETS[name])

    def run(request: Request) -> Response:
        try:
            return Response(session.overview(), media_type="application/json")
        except DeskError as err:
            return _error(err)

    def article(request: Request) -> Response:
        return _answer(lambda: labels.annotate(session.article(_query(request, "id"))))

    def search(request: Request) -> Response:
        return _answer(lambda: concordance(session, _query(request, "q")))

    def glossary(request: Request) -> Response:
        return _answer(terms.entries)

    async def save(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: session.save(
            _text(data, "article"), _number(data, "index"), _text(data, "tgt"),
            _base(data)))

    async def approve(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: session.save(
            _text(data, "article"), _number(data, "index"), _base(data) or "", _base(data)))

    async def withdraw(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: session.withdraw(
            _text(data, "article"), _number(data, "index"), _base(data)))

    async def term_preview(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: terms.preview(term_request(data)))

    async def term_save(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: terms.save(term_request(data)))

    async def term_undo(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: terms.undo(_number(data, "change")))

    async def name_accept(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: names.save(*name_request(data, corrected=False)))

    async def name_correct(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: names.save(*name_request(data, corrected=True)))

    async def relabel(request: Request) -> Response:
        data = await _json(request)
        return await _threaded(lambda: labels.relabel(*relabel_request(data)))

    routes = [
        Route("/", index), Route("/static/{name}", asset),
        Route("/favicon.ico", lambda request: Response(status_code=204)),  # none; no 404 noise
        Route("/api/run", run), Route("/api/article", article), Route("/api/search", search),
        Route("/api/glossary", glossary),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/approve", approve, methods=["POST"]),
        Route("/api/withdraw", withdraw, methods=["POST"]),
        Route("/api/terms/preview", term_preview, methods=["POST"]),
        Route("/api/terms/save", term_save, methods=["POST"]),
        Route("/api/terms/undo", term_undo, methods=["POST"]),
        Route("/api/labels/relabel", relabel, methods=["POST"]),
        Route("/api/names/accept", name_accept, methods=["POST"]),
        Route("/api/names/correct", name_correct, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed,
                                                       DeskError: _refused})
    return Guard(app, token, hosts)


class _JSONResponse(JSONResponse):
    """JSON that any text can be sent in (a lone surrogate read from a file: as its escape)."""

    def render(self, content: Any) -> bytes:
        """UTF-8 JSON; ASCII with escapes when the text holds what UTF-8 cannot encode."""
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":")).encode("ascii")


def _answer(step) -> Response:
    """Run a request's work; a refusal is JSON with its status and words."""
    try:
        return _JSONResponse(step())
    except DeskError as err:
        return _error(err)
    except WorkbenchError as err:
        return _error(DeskError(str(err), 500))
    except Exception:  # a bug: say so without leaking a traceback into the page
        logger.exception("desk request failed")
        return _error(DeskError("the desk failed on this request (see its terminal)", 500))


async def _threaded(step) -> Response:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_answer, step)


def _error(err: DeskError) -> JSONResponse:
    return _JSONResponse({"error": str(err), **err.details}, status_code=err.status)


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


async def _json(request: Request) -> dict[str, Any]:
    """The request's JSON object, every string and key in it text that can be stored.

    Raises:
        DeskError: the body is over the bound, not JSON (invalid UTF-8, too deep, a number
            too long), not an object, or holds a lone surrogate.
    """
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise DeskError("request body too large", 413)
    try:
        data = parse_json(body)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        raise DeskError("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise DeskError("the request body must be a JSON object")
    _refuse_surrogates(data, "the request body")
    return data


def _query(request: Request, name: str) -> str:
    """A query parameter, held to the same rule as a JSON body's text."""
    value = request.query_params.get(name, "")
    _refuse_surrogates(value, name)
    return value


def _refuse_surrogates(value: Any, where: str) -> None:
    """Refuse a lone surrogate anywhere in ``value`` (strings, keys, nested lists/objects).

    Valid JSON (``"\\udc80"``) but not text: SQLite, UTF-8 files and the terminal refuse it.
    ``parse_json`` bounds the nesting, so the walk is bounded too.
    """
    stack = [(value, where)]
    while stack:
        item, place = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE_RE.search(item)
            if found:
                raise DeskError(f"{place} holds a lone surrogate (U+{ord(found.group()):04X} "
                                f"at character {found.start() + 1}): send text as UTF-8")
        elif isinstance(item, dict):
            for key, inner in item.items():
                stack.append((key, f"a key in {place}"))
                stack.append((inner, key if key.isidentifier() and len(key) <= 40
                              else f"{key[:40]!r} in {place}"))
        elif isinstance(item, list):
            stack.extend((inner, place) for inner in item)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise DeskError(f"{name} must be text")
    return value


def _base(data: dict[str, Any]) -> str | None:
    value = data.get("base")
    if value is not None and not isinstance(value, str):
        raise DeskError("base must be text or null")
    return value


def _number(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise DeskError(f"{name} must be a whole number")
    return value


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DeskError)
    return _error(exc)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error(DeskError("not found", 404))


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _error(DeskError(f"{request.method} is not allowed here", 405))
