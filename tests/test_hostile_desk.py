"""Hostile requests to the review desk: each is a 4xx with one line, stores nothing, and leaves
nothing but the access log in the desk's terminal (no traceback).

One real desk (`workbench review`, see desk_server) serves the whole module, on a run translated
with RANDOM-WEIGHT models; the guard's own edge cases are also driven as pure ASGI.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from desk_server import DeskProcess, make_run, records

from workbench.desk.guard import MAX_BODY_BYTES, TOKEN_HEADER, Guard

TERM = {"form": "partikomité", "lang": "nb", "target": "Party Committee", "type": "body"}


class Hostile:
    """The module's desk, its run, and what must not change."""

    def __init__(self, out: Path, glossary: Path, desk: DeskProcess) -> None:
        self.out, self.glossary, self.desk = out, glossary, desk
        translated = [r for r in records(out) if r["status"] == "translated"]
        self.victim, self.spare = translated[0], translated[1:]
        self.records_before = (out / "records.jsonl").read_bytes()
        self.glossary_before = self.glossary_files()

    def glossary_files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.glossary.iterdir())}

    def where(self, record: dict[str, Any] | None = None) -> dict[str, Any]:
        record = record or self.victim
        return {"article": record["article"], "index": record["index"], "base": record["tgt"]}

    def reviewed(self) -> int:
        return self.desk.get("/api/run").json()["run"]["reviewed"]

    def assert_nothing_stored(self) -> None:
        shown = self.desk.article(self.victim["article"])["segments"][self.victim["index"]]
        assert not shown["approved"] and shown["tgt"] == self.victim["tgt"]
        assert (self.out / "records.jsonl").read_bytes() == self.records_before
        assert self.glossary_files() == self.glossary_before


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, installed_models):
    base = tmp_path_factory.mktemp("hostile-desk")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith(("WORKBENCH_", "ARGOS_"))]:
            patch.delenv(name)
        patch.setenv("HOME", str(base / "home"))
        out, _, glossary = make_run(base, installed_models)
        desk = DeskProcess(out)
        _read_stderr(desk)  # the start-up lines
        try:
            yield Hostile(out, glossary, desk)
        finally:
            assert desk.stop() == 0, desk.stderr


def _read_stderr(desk: DeskProcess) -> str:
    """What the desk wrote to its terminal since the last call (without waiting for more)."""
    fd = desk.process.stderr.fileno()
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


def quiet(desk: DeskProcess, wait: float = 0.05) -> str:
    """The desk's new terminal output, after it had time to log an error; no traceback.

    The desk logs a route's failure before answering, but uvicorn logs an exception that
    escaped the app after the 500 went out: raw-socket tests wait longer.
    """
    time.sleep(wait)
    said = _read_stderr(desk)
    assert "Traceback" not in said and "ERROR" not in said, said
    return said


def one_line_error(answer, status: int | tuple[int, ...]) -> str:
    statuses = status if isinstance(status, tuple) else (status,)
    assert answer.status in statuses, answer.body
    assert answer.headers["content-type"].startswith("application/json")
    error = answer.json()["error"]
    assert error and "\n" not in error and "\r" not in error
    return error


def post_raw(hostile: Hostile, path: str, body: bytes, **headers: str):
    desk = hostile.desk
    sent = {"Content-Type": "application/json", "X-Desk-Token": desk.token,
            "Origin": desk.url, **headers}
    return desk.request("POST", path, body, sent)


# --- 1. a lone surrogate in any text the desk receives -------------------------------------

ROUTE_BODIES = {
    "/api/save": lambda h: {**h.where(), "tgt": "The English."},
    "/api/approve": lambda h: h.where(),
    "/api/withdraw": lambda h: h.where(),
    "/api/terms/preview": lambda h: {**TERM, "note": "a note"},
    "/api/terms/save": lambda h: {**TERM, "note": "a note"},
    "/api/terms/undo": lambda h: {"change": 1},
}
FIELDS = [(route, field) for route, make in ROUTE_BODIES.items()
          for field in make(type("H", (), {"where": lambda self: dict.fromkeys(
              ("article", "index", "base"), "")})())
          if field not in ("index", "change")]


@pytest.mark.parametrize(("route", "field"), FIELDS)
def test_a_lone_surrogate_in_any_field_is_a_400_with_one_line(hostile, route, field):
    body = ROUTE_BODIES[route](hostile)
    body[field] = "Party \udc80 Committee"
    answer = hostile.desk.post(route, body)  # json.dumps sends it as the escape "\udc80"
    assert b"\\udc80" in json.dumps(body).encode()
    error = one_line_error(answer, 400)
    assert error.startswith(f"{field} holds a lone surrogate (U+DC80")
    hostile.assert_nothing_stored()
    assert quiet(hostile.desk) == ""


@pytest.mark.parametrize("body", [
    {"change": 1, "\udc80": 1},
    {"change": 1, "note": {"deep": ["x", "\ud83d"]}},
    {"change": 1, "extra": ["\udfff"]},
], ids=["key", "nested", "list"])
def test_a_lone_surrogate_in_a_key_or_a_nested_value_is_refused_too(hostile, body):
    error = one_line_error(hostile.desk.post("/api/terms/undo", body), 400)
    assert "holds a lone surrogate" in error
    assert quiet(hostile.desk) == ""


def test_json_the_desk_sends_back_can_carry_any_text():
    from workbench.desk.app import _JSONResponse  # a read file's surrogate, say

    assert json.loads(_JSONResponse({"a": "x\udc80"}).body) == {"a": "x\udc80"}
    assert _JSONResponse({"a": "ø"}).body == '{"a":"ø"}'.encode()


# --- 2. one rule for the English and the terms a reviewer enters ---------------------------

REFUSED = {"\x00": "a control character", "\x1b": "a control character",
           "\x07": "a control character", "\x7f": "a control character",
           "\x9b": "a control character", "\x85": "a line break",
           "\u2028": "a line break", "\ufffe": "a noncharacter", "\ufdd0": "a noncharacter",
           "\u202e": "a bidirectional control", "\u2066": "a bidirectional control"}


@pytest.mark.parametrize("char", list(REFUSED), ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_saved_english_with_a_control_character_is_refused_and_not_stored(hostile, char):
    before = hostile.reviewed()
    answer = hostile.desk.post("/api/save", {**hostile.where(), "tgt": f"The{char} English."})
    error = one_line_error(answer, 400)
    assert error == (f"the English holds {REFUSED[char]} (U+{ord(char):04X} at character 4)")
    assert hostile.reviewed() == before
    hostile.assert_nothing_stored()
    assert quiet(hostile.desk) == ""


@pytest.mark.parametrize("field", ["form", "target", "note"])
@pytest.mark.parametrize("char", ["\x1b", "\u202e", "\x00"], ids=["ESC", "RLO", "NUL"])
@pytest.mark.parametrize("route", ["/api/terms/preview", "/api/terms/save"])
def test_a_term_with_a_control_character_is_refused_before_the_glossary(hostile, route,
                                                                          field, char):
    answer = hostile.desk.post(route, {**TERM, "note": "n", field: f"Party{char} x"})
    error = one_line_error(answer, 400)
    assert error.startswith(f"{field} holds a ")
    hostile.assert_nothing_stored()
    assert quiet(hostile.desk) == ""


def test_english_of_invisible_characters_only_is_refused(hostile):
    answer = hostile.desk.post("/api/save", {**hostile.where(), "tgt": "\u200b\u00ad\ufeff"})
    assert "is empty" in one_line_error(answer, 400)
    hostile.assert_nothing_stored()


def test_invisible_characters_are_removed_and_a_typed_line_break_is_a_space(hostile):
    record = hostile.spare[0]
    typed = "Zero\u200bwidth soft\u00adhyphen,\r\ntwo lines"
    answer = hostile.desk.post("/api/save", {**hostile.where(record), "tgt": typed})
    assert answer.status == 200, answer.body
    assert answer.json()["segment"]["tgt"] == "Zerowidth softhyphen, two lines"
    shown = hostile.desk.article(record["article"])["segments"][record["index"]]
    assert shown["approved"] and shown["tgt"] == "Zerowidth softhyphen, two lines"
    assert quiet(hostile.desk) == ""


# --- 3. HTTP framing and the media type, over raw sockets ----------------------------------

def raw_exchange(hostile: Hostile, head: str, body: bytes = b"", timeout: float = 10) -> bytes:
    """Send a request as bytes; what the desk answers before closing (or the timeout)."""
    host, port = hostile.desk.host.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer


def request_head(hostile: Hostile, path: str, *headers: str) -> str:
    desk = hostile.desk
    lines = [f"POST {path} HTTP/1.1", f"Host: {desk.host}", f"{TOKEN_HEADER}: {desk.token}",
             "Content-Type: application/json", "Connection: close", *headers]
    return "".join(line + "\r\n" for line in lines)


def parsed(answer: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def chunked(body: bytes) -> bytes:
    return f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"


@pytest.mark.parametrize("size", ["small", "over the limit"])
def test_chunked_with_a_content_length_is_refused_and_nothing_is_stored(hostile, size):
    body = json.dumps({**hostile.where(), "tgt": "Smuggled English."}).encode()
    if size != "small":
        body = body[:-1] + b" " * MAX_BODY_BYTES + b"}"
    head = request_head(hostile, "/api/save", "Transfer-Encoding: chunked",
                        "Content-Length: 10")
    status, answer = parsed(raw_exchange(hostile, head, chunked(body)))
    assert status == 400 and "not both" in answer["error"]
    hostile.assert_nothing_stored()
    assert quiet(hostile.desk, 0.3) == ""


def test_chunked_with_a_content_length_is_answered_before_its_body_is_sent(hostile):
    head = request_head(hostile, "/api/save", "Transfer-Encoding: chunked",
                        f"Content-Length: {MAX_BODY_BYTES}")
    # Only the first chunk's size line: the answer must not wait for a body it will not read.
    status, answer = parsed(raw_exchange(hostile, head, b"ffffff\r\n", timeout=5))
    assert status == 400 and "not both" in answer["error"]
    assert quiet(hostile.desk, 0.3) == ""


def test_a_client_that_leaves_half_way_through_its_body_leaves_no_traceback(hostile):
    head = request_head(hostile, "/api/save", "Content-Length: 200")
    host, port = hostile.desk.host.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head.encode() + b"\r\n" + b'{"article": ')
        time.sleep(0.3)
    assert quiet(hostile.desk, 0.3) == ""
    hostile.assert_nothing_stored()


@pytest.mark.parametrize("content_type", [
    "application/jsonp", "application/json-patch+json", "application/jsonx",
    "application/x-json", "text/json", "text/plain; charset=application/json",
    "application/json2", "",
])
def test_only_the_json_media_type_passes(hostile, content_type):
    body = json.dumps({**hostile.where(), "tgt": "Sent as another type."}).encode()
    answer = post_raw(hostile, "/api/save", body, **{"Content-Type": content_type})
    assert "send JSON" in one_line_error(answer, 415)
    hostile.assert_nothing_stored()


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "Application/JSON", "application/json ;charset=UTF-8"])
def test_the_json_media_type_with_parameters_passes(hostile, content_type):
    body = json.dumps({**TERM, "lang": "<b>"}).encode()  # reaches the route: its own refusal
    answer = post_raw(hostile, "/api/terms/preview", body, **{"Content-Type": content_type})
    assert "language code" in one_line_error(answer, 400)


# --- the guard alone, as pure ASGI (values no HTTP parser in front of it would pass) -------

def run_guard(headers: dict[str, bytes], chunks: list[bytes],
              more: bool = False) -> tuple[int, dict[str, Any], int, bool]:
    """Drive the guard with one POST; its status, JSON answer, chunks read, app reached."""
    reached = False
    read = 0

    async def app(scope, receive, send) -> None:
        nonlocal reached
        reached = True
        message = await receive()
        body = json.dumps({"got": len(message["body"])}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read < len(chunks) or more:
            chunk = chunks[read] if read < len(chunks) else b"x" * 4096
            read += 1
            return {"type": "http.request", "body": chunk,
                    "more_body": more or read < len(chunks)}
        return {"type": "http.disconnect"}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/save", "headers": [
        (k.encode(), v) for k, v in {"host": b"127.0.0.1:1", TOKEN_HEADER: b"t",
                                     "content-type": b"application/json", **headers}.items()]}
    asyncio.run(Guard(app, "t", {"127.0.0.1:1"})(scope, receive, send))
    status = sent[0]["status"]
    return status, json.loads(sent[1]["body"]), read, reached


@pytest.mark.parametrize(("length", "status"), [
    (b"\xb2", 400), ("٣".encode(), 400), (b"9" * 5000, 413), (b"-1", 400), (b"1e3", 400),
    (b"", 400), (b"0x10", 400), (b" 12", 400)], ids=repr)
def test_the_guard_answers_any_content_length_in_one_line(length, status):
    answer_status, answer, _, reached = run_guard({"content-length": length}, [b"{}"])
    assert answer_status == status and "\n" not in answer["error"] and not reached


def test_the_guard_stops_reading_a_body_at_its_bound():
    status, answer, read, reached = run_guard({"content-length": b"10"}, [], more=True)
    assert status == 400 and "longer than its Content-Length" in answer["error"]
    assert read * 4096 <= MAX_BODY_BYTES + 4096 and not reached
    status, answer, read, reached = run_guard({"content-length": str(MAX_BODY_BYTES).encode()}, [],
                                              more=True)
    assert status == 413 and read * 4096 <= MAX_BODY_BYTES + 4096 and not reached


def test_the_guard_gives_the_app_the_whole_body_once():
    status, answer, _, reached = run_guard({"content-length": b"6"}, [b"{", b"1234", b"}"])
    assert (status, answer, reached) == (200, {"got": 6}, True)
    status, answer, _, reached = run_guard({"content-length": b"9"}, [b"{", b"}"])
    assert status == 400 and "shorter" in answer["error"] and not reached


# --- 4. hostile bodies: wrong types, odd JSON, unknown routes and methods ------------------

WRONG = [None, True, -1, 1.5, 10**30, ["x"], {"a": {"b": "c"}}, "", "x" * 20_000]
TYPED_FIELDS = [*FIELDS, ("/api/save", "index"), ("/api/approve", "index"),
                ("/api/withdraw", "index"), ("/api/terms/undo", "change")]
WRONG_FIELDS = [(route, field, value) for route, field in TYPED_FIELDS for value in WRONG
                if (field, value) != ("note", "")]  # no note is a note


@pytest.mark.parametrize(("route", "field", "value"), WRONG_FIELDS,
                         ids=[f"{r}-{f}-{type(v).__name__}{len(repr(v))}"
                              for r, f, v in WRONG_FIELDS])
def test_a_field_of_the_wrong_type_is_a_4xx_with_one_line(hostile, route, field, value):
    body = ROUTE_BODIES[route](hostile)
    body[field] = value
    one_line_error(hostile.desk.post(route, body), (400, 404, 409))
    hostile.assert_nothing_stored()
    assert quiet(hostile.desk) == ""
    assert quiet(hostile.desk) == ""


@pytest.mark.parametrize("body", [
    b"", b"null", b"[]", b'"text"', b"1", b"{", b'{"index": 1e999}', b"\xff\xfe{}",
    b'{"tgt": "\xff"}', b"[" * 50_000, b'{"index": ' + b"9" * 5_000 + b"}", b"\x00" * 10,
    b'{"index": NaN}', b'{"index": -Infinity}', "{}".encode("utf-16"),
], ids=lambda b: repr(b[:12]))
@pytest.mark.parametrize("route", list(ROUTE_BODIES))
def test_a_body_that_is_not_a_usable_object_is_a_400(hostile, route, body):
    answer = post_raw(hostile, route, body)
    one_line_error(answer, (400, 404))
    hostile.assert_nothing_stored()
    assert quiet(hostile.desk) == ""


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/nothing", 404), ("POST", "/api/nothing", 404), ("GET", "/api/save", 405),
    ("POST", "/api/run", 405), ("POST", "/static/desk.js", 405), ("PUT", "/api/save", 405),
    ("DELETE", "/api/save", 405), ("PATCH", "/api/terms/save", 405),
    ("OPTIONS", "/", 405), ("TRACE", "/", 405), ("GET", "/api/terms/undo", 405)])
def test_unknown_routes_and_methods_are_one_line(hostile, method, path, status):
    desk = hostile.desk
    headers = {"Content-Type": "application/json", "X-Desk-Token": desk.token}
    answer = desk.request(method, path, b"{}" if method != "GET" else None, headers)
    one_line_error(answer, status)
    assert quiet(hostile.desk) == ""
