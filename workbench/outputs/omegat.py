"""OmegaT projects, one per language pair, ready to open: ``OUT/omegat/<src>-en/``.

What OmegaT 3.6 needs, measured with its console mode (``omegat --mode=console-translate``):

- ``omegat.project`` and an ``omegat/`` folder (without it the folder is not a project);
- ``source/records.<src>.xlf``: OmegaT's XLIFF filter translates the ``<target>``, so each
  unit's target holds the source text (the "source = target" dialect), one ``<file>`` per
  article, unit ids ``ARTICLE:INDEX``;
- sentence segmentation off: one of our segments is one OmegaT segment;
- ``tm/auto/records.<src>-en.tmx``: the machine English (approved English too, with the
  property ``x-status`` = ``approved``), which OmegaT inserts as exact matches;
- ``glossary/workbench.utf8``: the run's glossary terms in OmegaT's tab-separated format
  (``.utf8``: read as UTF-8 whatever the system's encoding). Not ``glossary/glossary.txt``:
  OmegaT 4 and later put the terms a translator adds there, and OmegaT reads every glossary
  file in the folder.

Only these files are written, each atomically; what OmegaT or a translator writes
(``target/``, ``omegat/project_save.tmx``, ``glossary/glossary.txt``) is never touched, so a
re-run keeps the translator's work. A project is a folder people work in, so a link in it
could send our files anywhere: every folder from the output folder down is opened without
following links, and a link where we would write stops the export before anything is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from workbench.errors import OutputError
from workbench.outputs.atomic import atomic_write
from workbench.outputs.run_folder import OMEGAT
from workbench.outputs.xliff import NS, unit_id
from workbench.outputs.xml_text import attribute, attributes, text
from workbench.records import TRANSLATED_KINDS, ArticleInfo, Record, Status

#: OmegaT's project file: its folders at their defaults, sentence segmentation off.
PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <source_dir_excludes>
            <mask>**/.svn/**</mask>
            <mask>**/.git/**</mask>
        </source_dir_excludes>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>{src}</source_lang>
        <target_lang>{tgt}</target_lang>
        <sentence_seg>false</sentence_seg>
        <support_default_translations>true</support_default_translations>
        <remove_tags>false</remove_tags>
    </project>
</omegat>
"""
#: (source form, English, comment) rows of a language's glossary terms.
GlossaryRows = Callable[[str], Iterable[tuple[str, str, str]]]
#: A project's folders, made when missing (OmegaT needs ``omegat/`` to see a project).
FOLDERS = ("source", "target", "tm", "tm/auto", "glossary", "dictionary", "omegat")
#: The run's glossary in a project. Not ``glossary.txt``: OmegaT 4+ writes a translator's
#: new terms there. (Earlier Workbench versions wrote theirs there: such a file is removed
#: only while it holds exactly what ours holds, so nothing a translator added is lost.)
GLOSSARY = "workbench.utf8"
TRANSLATORS_GLOSSARY = "glossary.txt"
#: The files Workbench writes in a project, by folder (for the check before writing).
_OURS = {"": re.compile(r"omegat\.project"), "source": re.compile(r"records\..+\.xlf"),
         "tm/auto": re.compile(r"records\..+\.tmx"), "glossary": re.compile(re.escape(GLOSSARY))}
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | \
    getattr(os, "O_CLOEXEC", 0)
_LINK = ("a symbolic link: Workbench writes OmegaT projects only into real folders of the "
         "output folder, never through a link (it could lead outside); remove the link or "
         "choose another -o")


def project_dir(out_dir: Path, src: str, tgt: str = "en") -> Path:
    """The OmegaT project of a language pair."""
    return out_dir / OMEGAT / f"{src}-{tgt}"


def write_omegat(articles: Iterable[tuple[ArticleInfo, list[Record]]], out_dir: Path,
                 glossary_rows: GlossaryRows | None = None) -> int:
    """Write one OmegaT project per source language; return the number of units.

    Raises:
        OutputError: a link (or a file where a folder belongs) where a project is written;
            checked before anything is written.
    """
    check_projects(out_dir)
    count = 0
    with contextlib.ExitStack() as stack:
        projects: dict[str, _Project] = {}
        for info, records in articles:
            for record in records:
                if not _for_translators(record):
                    continue
                project = projects.get(record.src_lang)
                if project is None:
                    project = projects[record.src_lang] = stack.enter_context(
                        _Project(out_dir, record.src_lang, record.tgt_lang))
                project.add(info.article, record)
                count += 1
        for lang, project in projects.items():
            project.write_glossary(glossary_rows(lang) if glossary_rows else ())
    return count


def check_projects(out_dir: Path) -> None:
    """Refuse a link where :func:`write_omegat` would write, before it writes anything.

    Looks (``lstat``, never following) at ``omegat/``, each project in it, the project's
    folders and the files of ours in them. Writing opens each folder without following
    links again, so a link made after this check is refused too, only later.

    Raises:
        OutputError: names the link.
    """
    root = out_dir / OMEGAT
    if not _is_folder(root):
        return
    for project in sorted(root.iterdir()):
        if not _is_folder(project):
            continue
        for folder in ("", *FOLDERS):
            path = project / folder if folder else project
            if not _is_folder(path) or folder not in _OURS:
                continue
            for entry in path.iterdir():
                if _OURS[folder].fullmatch(entry.name):
                    _is_folder(entry)  # refuses a link


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a real folder; a link there is refused."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # writing says what is in the way
        return False
    except OSError as err:
        raise OutputError(path, f"cannot write: {err.strerror or err}") from err
    if stat.S_ISLNK(mode):
        raise OutputError(path, _LINK)
    return stat.S_ISDIR(mode)


def _open_folder(parent: int, name: str, path: Path) -> int:
    """Open (making it if missing) folder ``name`` inside ``parent``, never through a link."""
    try:
        os.mkdir(name, dir_fd=parent)  # never through a link: an existing one is EEXIST
    except FileExistsError:
        pass
    except OSError as err:
        raise OutputError(path, f"cannot write: {err.strerror or err}") from err
    try:
        return os.open(name, _FOLDER_FLAGS, dir_fd=parent)
    except OSError as err:
        if err.errno == errno.ELOOP or (err.errno == errno.ENOTDIR and stat.S_ISLNK(
                os.lstat(name, dir_fd=parent).st_mode)):
            raise OutputError(path, _LINK) from None
        if err.errno == errno.ENOTDIR:
            raise OutputError(path, "not a folder: an OmegaT project's folders are made "
                                    "here; move it or choose another -o") from None
        raise OutputError(path, f"cannot write: {err.strerror or err}") from err


def _for_translators(record: Record) -> bool:
    """Segments meant for translation: with English, or still waiting for it."""
    return record.kind in TRANSLATED_KINDS and record.status is not Status.KEPT \
        and record.src_lang != record.tgt_lang


class _Project:
    """One pair's project, its source file and memory streamed as units arrive.

    Its folders are held open (opened without following links) while it is written, and
    each file is written by name inside them.
    """

    def __init__(self, out_dir: Path, src: str, tgt: str) -> None:
        self.out_dir, self.src, self.tgt = out_dir, src, tgt
        self.root = project_dir(out_dir, src, tgt)
        self._stack = contextlib.ExitStack()
        self._article: str | None = None
        self._folders: dict[str, int] = {}

    def _open_folders(self) -> None:
        try:
            top = os.open(self.out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as err:
            raise OutputError(self.out_dir, f"cannot write: {err.strerror or err}") from err
        self._stack.callback(os.close, top)
        chain = [(OMEGAT, self.out_dir / OMEGAT), (self.root.name, self.root)]
        for name, path in chain:
            top = _open_folder(top, name, path)
            self._stack.callback(os.close, top)
        self._folders[""] = top
        for folder in FOLDERS:
            parent, _, name = folder.rpartition("/")
            fd = _open_folder(self._folders[parent], name, self.root / folder)
            self._stack.callback(os.close, fd)
            self._folders[folder] = fd

    def _write(self, folder: str, name: str) -> contextlib.AbstractContextManager:
        """An atomic write of ``folder/name`` inside the open folder; a link there is refused."""
        path = self.root / folder / name
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISLNK(os.lstat(name, dir_fd=self._folders[folder]).st_mode):
                raise OutputError(path, _LINK)
        return atomic_write(path, dir_fd=self._folders[folder])

    def __enter__(self) -> _Project:
        try:
            self._open_folders()
            with self._write("", "omegat.project") as out:
                out.write(PROJECT.format(src=self.src, tgt=self.tgt))
            self._xliff = self._stack.enter_context(
                self._write("source", f"records.{self.src}.xlf"))
            self._xliff.write(f"<?xml version='1.0' encoding='UTF-8'?>\n"
                              f'<xliff xmlns="{NS}" version="1.2">\n')
            self._tmx = self._stack.enter_context(
                self._write("tm/auto", f"records.{self.src}-{self.tgt}.tmx"))
        except BaseException:
            self._stack.close()
            raise
        header = attributes({"creationtool": "workbench", "creationtoolversion": "1",
                             "segtype": "paragraph", "o-tmf": "workbench", "adminlang": "en",
                             "srclang": self.src, "datatype": "plaintext"})
        self._tmx.write(f"<?xml version='1.0' encoding='UTF-8'?>\n<tmx version=\"1.4\">"
                        f"<header{header}/>\n<body>\n")
        return self
    def add(self, article: str, record: Record) -> None:
        if article != self._article:
            if self._article is not None:
                self._xliff.write("</body></file>\n")
            file = attributes({"original": article, "source-language": self.src,
                               "target-language": self.tgt, "datatype": "plaintext"})
            self._xliff.write(f"<file{file}><body>\n")
            self._article = article
        source = text(record.src)
        self._xliff.write(f'<trans-unit id="{attribute(unit_id(record))}"><source>{source}'
                          f"</source><target>{source}</target></trans-unit>\n")
        if record.tgt and record.status is not Status.NO_MODEL:
            status = "approved" if record.status is Status.APPROVED else "machine"
            self._tmx.write(f'<tu tuid="{attribute(unit_id(record))}"><prop type="x-status">'
                            f'{status}</prop><tuv xml:lang="{attribute(self.src)}"><seg>'
                            f'{source}</seg></tuv><tuv xml:lang="{attribute(self.tgt)}"><seg>'
                            f"{text(record.tgt)}</seg></tuv></tu>\n")

    def write_glossary(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """OmegaT's glossary format: source TAB English TAB comment, one term per line.

        A ``glossary.txt`` holding exactly these lines is an earlier Workbench's copy of
        them (OmegaT would show every term twice) and is removed; any other is left alone.
        """
        lines = "".join("\t".join(" ".join(cell.split()) for cell in row) + "\n"
                        for row in rows).encode("utf-8")
        with self._write("glossary", GLOSSARY) as out:
            out.write(lines.decode("utf-8"))
        folder = self._folders["glossary"]
        if _holds(folder, TRANSLATORS_GLOSSARY, lines):
            with contextlib.suppress(OSError):
                os.unlink(TRANSLATORS_GLOSSARY, dir_fd=folder)

    def __exit__(self, *exc: object) -> bool | None:
        if self._article is not None:
            self._xliff.write("</body></file>\n")
        self._xliff.write("</xliff>\n")
        self._tmx.write("</body>\n</tmx>\n")
        return self._stack.__exit__(*exc)



def _holds(folder: int, name: str, data: bytes) -> bool:
    """Whether regular file ``name`` in ``folder`` holds exactly ``data`` (links: never)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | \
        getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, dir_fd=folder)
    except OSError:
        return False
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
            return False
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False
    finally:
        os.close(fd)
