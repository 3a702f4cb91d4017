"""TMX 1.4b output, streamed with lxml's incremental writer (never string formatting).

One ``<tu>`` per translated segment (``translated``, ``cached`` or ``approved``), with props
for article, index, kind and status. Segments that were kept (boilerplate, source lines...)
are left out unless asked for; then they carry only their source ``<tuv>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

from workbench import __version__
from workbench.emit.atomic import atomic_write
from workbench.records import Record, Status

TRANSLATED = frozenset({Status.TRANSLATED, Status.CACHED, Status.APPROVED})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def write_tmx(records: Iterable[Record], path: Path, include_kept: bool = False) -> int:
    """Write records as TMX 1.4b; return the number of translation units."""
    count = 0
    from lxml import etree

    with atomic_write(path, "wb") as out, etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
        with xf.element("tmx", version="1.4"):
            xf.write(etree.Element("header", {
                "creationtool": "workbench", "creationtoolversion": __version__,
                "segtype": "sentence", "o-tmf": "workbench-jsonl", "adminlang": "en",
                "srclang": "*all*", "datatype": "PlainText"}))
            with xf.element("body"):
                for record in records:
                    unit = translation_unit(record, include_kept)
                    if unit is not None:
                        xf.write(unit)
                        count += 1
    return count


def translation_unit(record: Record, include_kept: bool = False) -> etree._Element | None:
    """The ``<tu>`` of one record, or None when it is not exported."""
    from lxml import etree

    if record.status not in TRANSLATED and not (include_kept and record.status == Status.KEPT):
        return None
    unit = etree.Element("tu", {"tuid": f"{record.article}:{record.index}",
                                "srclang": record.src_lang})
    for name, value in (("x-article", record.article), ("x-index", str(record.index)),
                        ("x-kind", record.kind.value), ("x-status", record.status.value)):
        prop = etree.SubElement(unit, "prop", type=name)
        prop.text = value
    _variant(unit, record.src_lang, record.src)
    if record.tgt is not None and record.status in TRANSLATED:
        _variant(unit, record.tgt_lang, record.tgt)
    return unit


def _variant(unit: etree._Element, lang: str, text: str) -> None:
    from lxml import etree

    tuv = etree.SubElement(unit, "tuv", {XML_LANG: lang})
    seg = etree.SubElement(tuv, "seg")
    seg.text = text
