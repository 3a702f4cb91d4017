"""JSON Lines output: one JSON object per line, UTF-8, non-ASCII kept readable."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


def dumps(obj: Mapping[str, Any]) -> str:
    """One compact JSON line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def read_lines(path: Path) -> Iterator[dict[str, Any]]:
    """Read a JSON Lines file back."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
