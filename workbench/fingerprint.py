"""Fingerprints of the code behind a stored result, so that a code change invalidates it."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from workbench import __version__

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_fingerprint(*relative: str) -> str:
    """Hash of the package files (glob patterns) that decide an output, and the version."""
    digest = hashlib.sha256(__version__.encode())
    for pattern in relative:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
