"""Cap glibc's malloc arenas before CTranslate2 starts its replica threads.

glibc gives each thread that contends for the heap an arena of its own, up to eight per core,
and an arena's freed memory is rarely handed back. CTranslate2's replicas (and a run that
loads one model after another) then leave memory scattered over many arenas: a run over five
languages with Argos-sized models peaked at 1.0 GB with the default arenas and 0.77 GB with
two, at the same speed (benchmarks/five_languages.py). ``MALLOC_ARENA_MAX`` in the
environment wins, as glibc itself reads it; other C libraries are left alone.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform

#: glibc's ``M_ARENA_MAX`` parameter for ``mallopt``.
_M_ARENA_MAX = -8
ARENAS = 2


@functools.cache
def limit_malloc_arenas() -> bool:
    """Cap the arenas once per process; whether the cap was set here."""
    if os.environ.get("MALLOC_ARENA_MAX") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        return ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, ARENAS) == 1
    except (OSError, AttributeError):  # no such library or function: nothing to tune
        return False
