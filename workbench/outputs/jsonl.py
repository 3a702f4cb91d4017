"""JSON Lines output: one JSON object per line, UTF-8, non-ASCII kept readable."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def dumps(obj: Mapping[str, Any]) -> str:
    """One compact JSON line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

