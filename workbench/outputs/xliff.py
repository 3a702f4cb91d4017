"""XLIFF 1.2 output for CAT tools (OmegaT, memoQ, Trados, Okapi), streamed as text.

One ``<file>`` per article (``original`` = the article id; one with nothing to review has an
empty body) and one ``<trans-unit>`` per segment
that has English, with id ``ARTICLE:INDEX``. Machine translation awaits review
(``state="needs-review-translation" state-qualifier="leveraged-mt"``); a reviewer's approved
English is ``state="final" approved="yes"``. ``<note>`` elements carry the flags, missed
glossary terms and the model's score. Kept segments (boilerplate, source lines) are left out:
there is nothing to review in them. Valid against the OASIS XLIFF 1.2 strict schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workbench import __version__
from workbench.outputs.atomic import atomic_write
from workbench.outputs.xml_text import attribute, attributes, text
from workbench.records import WITH_ENGLISH, ArticleInfo, Record, Status, shown_status

NS = "urn:oasis:names:tc:xliff:document:1.2"


def unit_id(record: Record) -> str:
    """The stable id of a record's unit: article and index."""
    return f"{record.article}:{record.index}"


def write_xliff(articles: Iterable[tuple[ArticleInfo, list[Record]]], path: Path,
                tgt_lang: str = "en") -> int:
    """Write XLIFF 1.2; return the number of translation units."""
    count = 0
    tool = attributes({"tool-id": "workbench", "tool-name": "workbench",
                       "tool-version": __version__})
    with atomic_write(path) as out:
        out.write(f"<?xml version='1.0' encoding='UTF-8'?>\n"
                  f'<xliff xmlns="{NS}" version="1.2">\n')
        for info, records in articles:
            file = attributes({"original": info.article, "source-language": info.lang or "und",
                               "target-language": tgt_lang, "datatype": "plaintext",
                               "tool-id": "workbench"})
            out.write(f"<file{file}><header><tool{tool}/></header><body>\n")
            for record in records:
                if record.status in WITH_ENGLISH and record.tgt is not None:
                    out.write(trans_unit(record))
                    count += 1
            out.write("</body></file>\n")
        out.write("</xliff>\n")
    return count


def trans_unit(record: Record) -> str:
    """The ``<trans-unit>`` of one record."""
    approved = record.status == Status.APPROVED
    unit = {"id": unit_id(record), "resname": unit_id(record)}
    if approved:
        unit["approved"] = "yes"
    state = {"state": "final"} if approved else {
        "state": "needs-review-translation", "state-qualifier": "leveraged-mt"}
    target = attributes({"xml:lang": record.tgt_lang, **state})
    notes_ = "".join(f'<note from="workbench">{text(note)}</note>' for note in notes(record))
    return (f"<trans-unit{attributes(unit)}>"
            f'<source xml:lang="{attribute(record.src_lang)}">{text(record.src)}</source>'
            f"<target{target}>{text(record.tgt or '')}</target>{notes_}</trans-unit>\n")


def notes(record: Record) -> list[str]:
    """What a reviewer should know about a unit, one note each."""
    found = [f"kind: {record.kind.value}, status: {shown_status(record.status).value}"]
    if record.score is not None:
        found.append(f"score: {record.score:.3f} (mean log-probability per token)")
    if record.flags:
        found.append("flags: " + ", ".join(record.flags))
    missed = [f"{hit.term} → {hit.target}" + (f" ({hit.cause})" if hit.cause else "")
              for hit in record.glossary if not hit.found]
    if missed:
        found.append("missed glossary terms: " + "; ".join(missed))
    return found
