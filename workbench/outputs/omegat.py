"""OmegaT projects, one per language pair, ready to open: ``OUT/omegat/<src>-en/``.

What OmegaT 3.6 needs, measured with its console mode (``omegat --mode=console-translate``):

- ``omegat.project`` and an ``omegat/`` folder (without it the folder is not a project);
- ``source/records.<src>.xlf``: OmegaT's XLIFF filter translates the ``<target>``, so each
  unit's target holds the source text (the "source = target" dialect), one ``<file>`` per
  article, unit ids ``ARTICLE:INDEX``;
- sentence segmentation off: one of our segments is one OmegaT segment;
- ``tm/auto/records.<src>-en.tmx``: the machine English (approved English too, with the
  property ``x-status`` = ``approved``), which OmegaT inserts as exact matches;
- ``glossary/glossary.txt``: the run's glossary terms in OmegaT's tab-separated format.

Only these files are written, each atomically; what OmegaT writes (``target/``,
``omegat/project_save.tmx``) is never touched, so a re-run keeps the translator's work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path

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


def project_dir(out_dir: Path, src: str, tgt: str = "en") -> Path:
    """The OmegaT project of a language pair."""
    return out_dir / OMEGAT / f"{src}-{tgt}"


def write_omegat(articles: Iterable[tuple[ArticleInfo, list[Record]]], out_dir: Path,
                 glossary_rows: GlossaryRows | None = None) -> int:
    """Write one OmegaT project per source language; return the number of units."""
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
                        _Project(project_dir(out_dir, record.src_lang, record.tgt_lang),
                                 record.src_lang, record.tgt_lang))
                project.add(info.article, record)
                count += 1
        for lang, project in projects.items():
            project.write_glossary(glossary_rows(lang) if glossary_rows else ())
    return count


def _for_translators(record: Record) -> bool:
    """Segments meant for translation: with English, or still waiting for it."""
    return record.kind in TRANSLATED_KINDS and record.status is not Status.KEPT \
        and record.src_lang != record.tgt_lang


class _Project:
    """One pair's project, its source file and memory streamed as units arrive."""

    def __init__(self, root: Path, src: str, tgt: str) -> None:
        self.root, self.src, self.tgt = root, src, tgt
        self._stack = contextlib.ExitStack()
        self._article: str | None = None

    def __enter__(self) -> _Project:
        for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        with atomic_write(self.root / "omegat.project") as out:
            out.write(PROJECT.format(src=self.src, tgt=self.tgt))
        self._xliff = self._stack.enter_context(
            atomic_write(self.root / "source" / f"records.{self.src}.xlf"))
        self._xliff.write(f"<?xml version='1.0' encoding='UTF-8'?>\n"
                          f'<xliff xmlns="{NS}" version="1.2">\n')
        self._tmx = self._stack.enter_context(
            atomic_write(self.root / "tm" / "auto" / f"records.{self.src}-{self.tgt}.tmx"))
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
        """OmegaT's glossary format: source TAB English TAB comment, one term per line."""
        with atomic_write(self.root / "glossary" / "glossary.txt") as out:
            for row in rows:
                out.write("\t".join(" ".join(cell.split()) for cell in row) + "\n")

    def __exit__(self, *exc: object) -> bool | None:
        if self._article is not None:
            self._xliff.write("</body></file>\n")
        self._xliff.write("</xliff>\n")
        self._tmx.write("</body>\n</tmx>\n")
        return self._stack.__exit__(*exc)

