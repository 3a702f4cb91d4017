"""Process-wide tuning the workbench does for itself: malloc arenas, imports kept out."""

import platform
import subprocess
import sys

from workbench.engines import malloc_arenas


def test_malloc_arenas_are_capped_unless_the_environment_says(monkeypatch):
    malloc_arenas.limit_malloc_arenas.cache_clear()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert malloc_arenas.limit_malloc_arenas() is False  # glibc read the user's own
    malloc_arenas.limit_malloc_arenas.cache_clear()
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert malloc_arenas.limit_malloc_arenas() is (platform.libc_ver()[0] == "glibc")
    malloc_arenas.limit_malloc_arenas.cache_clear()


def test_a_new_cache_does_not_import_pandas(tmp_path):
    """sqlite-utils would import pandas (installed with the ray extra) for nothing."""
    code = (
        "import sys, importlib.util; from pathlib import Path\n"
        "from workbench.cache.store import TranslationCache\n"
        f"TranslationCache(Path({str(tmp_path / 'c.db')!r})).close()\n"
        "print('pandas' in sys.modules, 'sqlite_utils' in sys.modules, "
        "importlib.util.find_spec('pandas') is not None)\n"
        "import pandas\n"  # still importable afterwards
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "True", "True"]
