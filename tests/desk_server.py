"""A real review desk for tests: `workbench review OUT --no-open --port 0` in a subprocess.

Driven over HTTP exactly as a browser or a script would drive it; stopped with SIGINT (Ctrl-C),
and its exit code checked.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from workbench.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED_SUBSET = ("000_6ee16a1a097d6283", "001_9e90e167a72bcd0b")


def make_run(tmp_path: Path, models: Path, stems: tuple[str, ...] = SEED_SUBSET,
             extra: dict[str, str] | None = None) -> tuple[Path, Path, Path]:
    """Translate some seeds (and extra articles) with a copy of the repository's glossary.

    Returns the run folder, its cache and its glossary folder.
    """
    inputs = tmp_path / "in"
    inputs.mkdir()
    for stem in stems:
        (inputs / f"{stem}.txt").write_bytes((ROOT / "seeds" / f"{stem}.txt").read_bytes())
    for name, text in (extra or {}).items():
        (inputs / name).write_text(text, encoding="utf-8")
    glossary = tmp_path / "glossary"
    glossary.mkdir()
    for path in (ROOT / "glossary").glob("*.toml"):
        (glossary / path.name).write_bytes(path.read_bytes())
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    translate(inputs, out, cache, glossary, models)
    return out, cache, glossary


def translate(inputs: Path, out: Path, cache: Path, glossary: Path, models: Path) -> str:
    result = CliRunner().invoke(cli, ["translate", str(inputs), "-o", str(out), "--silent",
                                      "--models-dir", str(models), "--cache", str(cache),
                                      "--glossary", str(glossary)])
    assert result.exit_code == 0, result.output
    return result.output


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


class DeskProcess:
    """The desk of a run, served by the real CLI until the block ends."""

    def __init__(self, out: Path, *options: str, cwd: Path | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workbench", "review", str(out), "--no-open", "--port", "0",
             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            cwd=cwd)
        line = self.process.stdout.readline().strip()
        if not line.startswith("http://"):
            self.process.kill()
            raise AssertionError(f"no URL from the desk: {line!r} {self.process.stderr.read()}")
        self.url = line.rstrip("/")
        self.host = self.url.removeprefix("http://")
        page = self.get("/").body.decode()
        self.token = re.search(r'name="desk-token" content="([^"]+)"', page).group(1)
        self.stderr = ""

    def __enter__(self) -> DeskProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise AssertionError("the desk did not stop on Ctrl-C") from None
            self.stderr = self.process.stderr.read()
        return self.process.returncode

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        request = urllib.request.Request(self.url + path, data=body, method=method,
                                         headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as err:
            return Answer(err.code, dict(err.headers), err.read())

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: Any, token: str | None = None, **headers: str) -> Answer:
        sent = {"Content-Type": "application/json", "X-Desk-Token": token or self.token,
                "Origin": self.url, **headers}
        return self.request("POST", path, json.dumps(data).encode(), sent)

    def article(self, article: str) -> dict:
        answer = self.get(f"/api/article?id={urllib.request.quote(article)}")
        assert answer.status == 200, answer.body
        return answer.json()


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text("utf-8").splitlines()]
