"""TMX 1.4b output, streamed as text with one escaping rule (:mod:`workbench.outputs.xml_text`).

One ``<tu>`` per translated segment (``translated``, ``cached`` or ``approved``), with props
for article, index, kind and status. Segments that were kept (boilerplate, source lines...)
are left out unless asked for; then they carry only their source ``<tuv>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workbench import __version__
from workbench.outputs.atomic import atomic_write
from workbench.outputs.xml_text import attribute, attributes, text
from workbench.records import WITH_ENGLISH, Record, Status, shown_status


def write_tmx(records: Iterable[Record], path: Path, include_kept: bool = False) -> int:
    """Write records as TMX 1.4b; return the number of translation units."""
    count = 0
    header = attributes({
        "creationtool": "workbench", "creationtoolversion": __version__,
        "segtype": "sentence", "o-tmf": "workbench-jsonl", "adminlang": "en",
        "srclang": "*all*", "datatype": "PlainText"})
    with atomic_write(path) as out:
        out.write("<?xml version='1.0' encoding='UTF-8'?>\n"
                  '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
                  f'<tmx version="1.4"><header{header}/><body>')
        for record in records:
            unit = translation_unit(record, include_kept)
            if unit is not None:
                out.write(unit)
                count += 1
        out.write("</body></tmx>\n")
    return count


def translation_unit(record: Record, include_kept: bool = False) -> str | None:
    """The ``<tu>`` of one record, or None when it is not exported."""
    if record.status not in WITH_ENGLISH and not (include_kept and record.status == Status.KEPT):
        return None
    props = "".join(f'<prop type="{name}">{text(value)}</prop>' for name, value in (
        ("x-article", record.article), ("x-index", str(record.index)),
        ("x-kind", record.kind.value), ("x-status", shown_status(record.status).value)))
    variants = _variant(record.src_lang, record.src)
    if record.tgt is not None and record.status in WITH_ENGLISH:
        variants += _variant(record.tgt_lang, record.tgt)
    tuid = attributes({"tuid": f"{record.article}:{record.index}", "srclang": record.src_lang})
    return f"<tu{tuid}>{props}{variants}</tu>\n"


def _variant(lang: str, value: str) -> str:
    return f'<tuv xml:lang="{attribute(lang)}"><seg>{text(value)}</seg></tuv>'
