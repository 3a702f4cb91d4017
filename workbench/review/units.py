"""Read a CAT tool's XLIFF 1.2 or TMX file as a stream of units, reduced to text.

A file of 424,000 units is 60 MB of XML; held as one tree it took 880 MB. The file is read
with ``etree.iterparse`` and each unit's element is cleared once it is read, so memory stays
flat whatever the size. The parser keeps the safety settings every XML input has here: no
entities resolved, no network, no DTD, libxml2's default size limits (``huge_tree`` off).

CAT tools add their own namespace prefixes, ``<alt-trans>`` proposals and inline codes: the
source and target are reduced to their text (``<g>`` and ``<mrk>`` keep their text; ``<x/>``,
``<bx/>``, ``<ex/>``, ``<ph>``, ``<bpt>``, ``<ept>``, ``<it>`` are codes and drop out). Units
come out as read: the one rule for entered English is applied where corrections enter
(:mod:`workbench.review.apply`), the same for every format.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from workbench.errors import InputError
from workbench.files import open_regular
from workbench.records import Correction
from workbench.review.reviewed import LANGUAGE_CODE, RefusedUnit, ReviewedUnit

DONE_STATES = frozenset({"translated", "signed-off", "final"})
_CODE_TAGS = frozenset({"x", "bx", "ex", "ph", "bpt", "ept", "it"})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_units(path: Path, data: bytes | None = None) -> Iterator[ReviewedUnit]:
    """The readable units of an XLIFF 1.2 or TMX file (``data``: its bytes, else streamed).

    Raises:
        InputError: not well-formed XML, or neither XLIFF nor TMX.
    """
    for unit in read_xml(path, data):
        if isinstance(unit, ReviewedUnit):
            yield unit


def read_xml(path: Path, data: bytes | None = None
             ) -> Iterator[ReviewedUnit | RefusedUnit]:
    """Every unit of an XLIFF 1.2 or TMX file, streamed; a unreadable unit is a RefusedUnit.

    Raises:
        InputError: not well-formed XML (with its line), or neither XLIFF nor TMX.
    """
    stateless: bool | None = None
    with _opened(path, data) as handle:
        events = _events(handle, path)
        kind = next((_local(element.tag) for event, element in events), "")
        if kind == "tmx":
            yield from _tmx_units(events, path)
            return
        if kind != "xliff":
            raise InputError(path, f"not a corrections file (an XML <{kind}>, not XLIFF or "
                                   "TMX)" if kind else "not a corrections file (empty XML)")
        for unit in _xliff_units(events, path):
            if stateless is None:  # asked once, when the first unit needs it
                stateless = not _has_states(path, data)
            if isinstance(unit, ReviewedUnit) and stateless:
                unit = ReviewedUnit(unit.correction, True, unit.place)
            yield unit


@contextlib.contextmanager
def _opened(path: Path, data: bytes | None) -> Iterator[BinaryIO]:
    if data is not None:
        yield io.BytesIO(data)
    else:
        with open_regular(path) as handle:
            yield handle


def _events(handle: BinaryIO, path: Path) -> Iterator[tuple[str, Any]]:
    """``(event, element)`` of a safe streaming parse; a syntax error is an InputError."""
    from lxml import etree

    parser = etree.iterparse(handle, events=("start", "end"), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False)
    try:
        yield from parser
    except etree.XMLSyntaxError as err:
        raise InputError(path, f"not a corrections file (not JSON, and not XML: {err.msg})",
                         err.lineno) from err
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err


def _release(element: Any) -> None:
    """Drop a read element, and the siblings read before it, from the tree being built."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    while element.getprevious() is not None and parent is not None:
        del parent[0]


def _has_states(path: Path, data: bytes | None) -> bool:
    """Whether any unit or target carries a state or ``approved="yes"``.

    OmegaT never sets a state: a file with none at all is one whose edits are done
    (Workbench's own XLIFF gives every unit one, so this stops at its first unit).
    """
    with _opened(path, data) as handle:
        for event, element in _events(handle, path):
            name = _local(element.tag)
            if event == "start" and name in ("target", "trans-unit") and (
                    element.get("state") or element.get("approved") == "yes"):
                return True
            if event == "end" and name == "trans-unit":
                _release(element)
    return False


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: Any) -> str:
    """The text of a source or target, inline codes dropped, marked-up text kept."""
    parts = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        if name and name not in _CODE_TAGS:
            parts.append(_text(child))  # <g>, <mrk>, or an unknown inline element: its words
        parts.append(child.tail or "")
    return "".join(parts)


def _place(path: Path, element: Any, unit_id: str | None) -> str:
    line = f"{path}:{element.sourceline}" if element.sourceline else str(path)
    return f"{line} (unit {unit_id})" if unit_id else line


def _xliff_units(events: Iterator[tuple[str, Any]], path: Path
                 ) -> Iterator[ReviewedUnit | RefusedUnit]:
    src_default, tgt_default, article = "", "en", ""
    for event, element in events:
        name = _local(element.tag)
        if event == "start":
            if name == "file":
                src_default = element.get("source-language", "")
                tgt_default = element.get("target-language", "en")
                article = element.get("original", "")
            continue
        if name in ("file", "group", "body"):
            _release(element)
        if name != "trans-unit":
            continue
        sources, targets = _children(element, "source"), _children(element, "target")
        if sources and targets and element.get("restype") != "x-gettext-domain-header":
            source, target = sources[0], targets[0]
            unit_id = element.get("id")
            unit_article, _, index = (unit_id or "").rpartition(":")
            done = target.get("state") in DONE_STATES or element.get("approved") == "yes"
            unit = _unit(_place(path, element, unit_id), done,
                         source.get(XML_LANG) or src_default,
                         target.get(XML_LANG) or tgt_default, _text(source), _text(target),
                         unit_article or article, index)
            if unit is not None:
                yield unit
        _release(element)


def _tmx_units(events: Iterator[tuple[str, Any]], path: Path
               ) -> Iterator[ReviewedUnit | RefusedUnit]:
    default_source = ""
    for event, element in events:
        name = _local(element.tag)
        if event == "start":
            continue
        if name == "header":
            default_source = _language(element.get("srclang"))
            _release(element)
        elif name == "body":
            _release(element)
        if name != "tu":
            continue
        # TMX 1.4 names a variant's language in xml:lang, TMX 1.1 (OmegaT's exports) in lang.
        variants = {_language(tuv.get(XML_LANG) or tuv.get("lang")): tuv
                    for tuv in _children(element, "tuv")}
        source_lang = _language(element.get("srclang")) or (
            default_source if default_source in variants else "") or next(
            (lang for lang in variants if lang != "en"), "")
        if source_lang in variants and "en" in variants:
            segs = [_children(variants[lang], "seg") for lang in (source_lang, "en")]
            if all(segs):
                tuid = element.get("tuid")
                article, _, index = (tuid or "").rpartition(":")
                unit = _unit(_place(path, element, tuid), True, source_lang, "en",
                             _text(segs[0][0]), _text(segs[1][0]), article, index)
                if unit is not None:
                    yield unit
        _release(element)


def _language(code: str | None) -> str:
    """A language code as the cache keeps it: ``NB``, ``nb-NO`` and ``nb_NO`` are ``nb``."""
    return (code or "").strip().lower().replace("_", "-").split("-")[0]


def _unit(place: str, done: bool, src_lang: str, tgt_lang: str, src: str, tgt: str,
          article: str, index: str) -> ReviewedUnit | RefusedUnit | None:
    """One unit as a correction; None when it has no source or no English to read."""
    src_lang, tgt_lang = _language(src_lang), _language(tgt_lang)
    if not src.strip() or not tgt.strip():
        return None
    if not LANGUAGE_CODE.fullmatch(src_lang):
        return RefusedUnit(place, f"no usable source language ({src_lang[:20]!r})")
    return ReviewedUnit(Correction(src_lang, tgt_lang, src.strip(), tgt.strip(), article,
                                   int(index) if index.isdigit() and len(index) < 10 else -1),
                        done, place)
