"""XLIFF 1.2 output for CAT tools (OmegaT, memoQ, Trados, Okapi), streamed with lxml.

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
from workbench.emit.atomic import atomic_write
from workbench.records import ArticleInfo, Record, Status

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EXPORTED = frozenset({Status.TRANSLATED, Status.CACHED, Status.APPROVED})


def unit_id(record: Record) -> str:
    """The stable id of a record's unit: article and index."""
    return f"{record.article}:{record.index}"


def write_xliff(articles: Iterable[tuple[ArticleInfo, list[Record]]], path: Path,
                tgt_lang: str = "en") -> int:
    """Write XLIFF 1.2; return the number of translation units."""
    from lxml import etree  # slow to import; only needed here

    count = 0
    with atomic_write(path, "wb") as out, etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{NS}}}xliff", version="1.2", nsmap={None: NS}):
            for info, records in articles:
                units = [r for r in records if r.status in EXPORTED and r.tgt is not None]
                with xf.element(f"{{{NS}}}file", {
                        "original": info.article, "source-language": info.lang or "und",
                        "target-language": tgt_lang, "datatype": "plaintext",
                        "tool-id": "workbench"}):
                    header = etree.Element(f"{{{NS}}}header", nsmap={None: NS})
                    etree.SubElement(header, f"{{{NS}}}tool", {
                        "tool-id": "workbench", "tool-name": "workbench",
                        "tool-version": __version__})
                    xf.write(header)
                    with xf.element(f"{{{NS}}}body"):
                        for record in units:
                            xf.write(trans_unit(record))
                            count += 1
    return count


def trans_unit(record: Record):
    """The ``<trans-unit>`` of one record."""
    from lxml import etree

    approved = record.status == Status.APPROVED
    attributes = {"id": unit_id(record), "resname": unit_id(record)}
    if approved:
        attributes["approved"] = "yes"
    unit = etree.Element(f"{{{NS}}}trans-unit", attributes, nsmap={None: NS})
    source = etree.SubElement(unit, f"{{{NS}}}source", {XML_LANG: record.src_lang})
    source.text = record.src
    target_attributes = {XML_LANG: record.tgt_lang}
    target_attributes.update({"state": "final"} if approved else {
        "state": "needs-review-translation", "state-qualifier": "leveraged-mt"})
    target = etree.SubElement(unit, f"{{{NS}}}target", target_attributes)
    target.text = record.tgt
    for text in notes(record):
        note = etree.SubElement(unit, f"{{{NS}}}note", {"from": "workbench"})
        note.text = text
    return unit


def notes(record: Record) -> list[str]:
    """What a reviewer should know about a unit, one note each."""
    found = [f"kind: {record.kind.value}, status: {record.status.value}"]
    if record.score is not None:
        found.append(f"score: {record.score:.3f} (mean log-probability per token)")
    if record.flags:
        found.append("flags: " + ", ".join(record.flags))
    missed = [f"{hit.term} → {hit.target}" for hit in record.glossary if not hit.found]
    if missed:
        found.append("missed glossary terms: " + "; ".join(missed))
    return found
