"""Prepare new articles in worker processes, so that preparation uses every core.

Preparing an article (normalize, detect, label, segment) is pure Python and CPU-bound: one
process prepares about 7,000 segments a second, whatever the machine. A first run over a
large corpus spends most of its time there, so once a run has met enough new articles to be
worth it, they go to a pool of worker processes, one per core, which also match the glossary,
while the run's own process looks up the cache and writes outputs. Results come back in input
order, encoded as the cache stores them.

Workers are spawned, not forked: a run may already hold translation threads and a database
connection, which a fork would copy mid-use. They ignore Ctrl-C, which the run handles.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from workbench.glossary.match import Matcher
from workbench.records import Segment
from workbench.run.prepared_codec import encode_matches, encode_prepared
from workbench.text import detect
from workbench.text.html_page import extract_page
from workbench.text.prepare import PreparedArticle, prepare_text
from workbench.text.reader import ArticleFile, decode_article

#: New articles a run prepares itself before starting workers: a small run never pays for
#: starting them (about 0.3 s, hidden behind these articles when the run is large).
WORKERS_AFTER = 48
#: Articles in flight per worker: enough to keep each busy, few enough to keep memory flat.
IN_FLIGHT_PER_WORKER = 8
#: Each worker holds about 73 MB, and lives through a cold run's decoding as well. One
#: prepares about 7,000 segments a second; four outrun the rest of a run (a no-model run's
#: records and outputs go at some 7,500 a second, models far slower), so more would add
#: memory, not speed.
MAX_WORKERS = 4


def prepare_content(file: ArticleFile, reader: str, data: bytes, languages: tuple[str, ...]
                    ) -> PreparedArticle:
    """Prepare an article from its bytes, as ``reader`` (text, html or feed) reads it.

    Raises:
        InputError: the bytes cannot be decoded.
    """
    if reader == "text":
        return prepare_text(file, decode_article(file.path, data), languages)
    parts = file.parts if reader == "feed" else extract_page(file.path, data)
    assert parts is not None
    return prepare_text(file, parts.text(), languages, parts)


def worker_count() -> int:
    """How many workers to start: one per core this process may run on, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, MAX_WORKERS)


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker needs: the languages to tell apart, and how to match the glossary.

    ``matchers`` are the run's own, for the languages it has met so far (a worker leaves a
    segment in another language for the run to match); ``wanted`` says which
    segments are translated, and so matched.
    """

    languages: tuple[str, ...]
    matchers: Mapping[str, Matcher]
    wanted: Callable[[Segment], bool]


class PreparationWorkers:
    """A pool of spawned processes running :func:`prepare_encoded`."""

    def __init__(self, setup: WorkerSetup, workers: int) -> None:
        self.in_flight = workers * IN_FLIGHT_PER_WORKER
        self._pool = ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"),
                                         initializer=_start_worker,
                                         initargs=(setup, os.getpid()))

    def submit(self, file: ArticleFile, reader: str, data: bytes
               ) -> Future[tuple[bytes, bytes, tuple[int, ...]]]:
        """Prepare (and match) one article in a worker."""
        return self._pool.submit(prepare_encoded, file, reader, data)

    def close(self, broken: bool = False) -> None:
        """Stop the workers; work not started is dropped.

        After a worker died (``broken``), the rest are killed here rather than left to the
        executor: a worker it started while the other died is never stopped, and waiting for
        it would wait forever (seen with Python 3.11).
        """
        if not broken:
            self._pool.shutdown(wait=True, cancel_futures=True)
            return
        processes = list((self._pool._processes or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join(timeout=10)


_setup: WorkerSetup | None = None


def _start_worker(setup: WorkerSetup, parent: int) -> None:
    global _setup
    _setup = setup
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    detect.detect("", setup.languages)  # load the language model before the first article


#: How often a worker checks that the run that started it is still there.
PARENT_CHECK_SECONDS = 0.5


def _die_with(parent: int) -> None:
    """End this worker when the run's process ends, however it ends (``kill -9`` too).

    A worker blocked reading its task pipe holds that pipe's write end itself, so it would
    never see the run go. Linux kills it at once (``PR_SET_PDEATHSIG``); everywhere, a
    thread also notices that the parent changed. Neither needs the dying parent's help.
    """
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def prepare_encoded(file: ArticleFile, reader: str, data: bytes
                    ) -> tuple[bytes, bytes, tuple[int, ...]]:
    """In a worker: the article and its matches, as stored, and the segments left to match.

    A segment is left for the run when its language has no matcher here.

    Raises:
        InputError: the bytes cannot be decoded.
    """
    assert _setup is not None, "not in a worker"
    article = prepare_content(file, reader, data, _setup.languages)
    matches, left = {}, []
    for seg in article.segments:
        if not _setup.wanted(seg):
            continue
        matcher = _setup.matchers.get(seg.src_lang)
        if matcher is None:
            left.append(seg.index)
        elif found := matcher.find(seg.text):
            matches[seg.index] = tuple(found)
    return encode_prepared(article), encode_matches(matches), tuple(left)
