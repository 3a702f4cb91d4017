"""Read back what reviewers did in CAT tools: XLIFF 1.2 and TMX files become corrections.

A unit becomes an approved translation when its English differs from the machine translation
the cache holds for its source, and (XLIFF) it is marked done: ``state`` ``translated``,
``signed-off`` or ``final``, or ``approved="yes"``. A TMX unit is a confirmed translation by
nature. Untouched units are ignored; units whose source the cache never translated are
counted as unmatched. CAT tools add their own namespace prefixes, ``<alt-trans>`` proposals
and inline codes: the source and target are reduced to their text (``<g>`` and ``<mrk>`` keep
their text; ``<x/>``, ``<bx/>``, ``<ex/>``, ``<ph>``, ``<bpt>``, ``<ept>``, ``<it>`` are
codes and drop out).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench.cache.store import TranslationCache
from workbench.errors import InputError
from workbench.files import MAX_CONFIG_BYTES, read_bytes
from workbench.glossary.edit import TermProposal
from workbench.records import Correction
from workbench.review.corrections import LANGUAGE_CODE, load_review_file

DONE_STATES = frozenset({"translated", "signed-off", "final"})
_TEXT_TAGS = frozenset({"g", "mrk"})
_CODE_TAGS = frozenset({"x", "bx", "ex", "ph", "bpt", "ept", "it"})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True, slots=True)
class ReviewedUnit:
    """One unit of a CAT tool's file."""

    correction: Correction
    done: bool


@dataclass
class ApplyReport:
    """What ``corrections apply`` did with a file."""

    applied: list[Correction] = field(default_factory=list)
    units: int = 0  # units read from the file
    unchanged: int = 0  # untouched: the English is still the machine translation
    source_as_english: int = 0  # refused: the "English" is the source text itself
    not_done: int = 0  # edited, but not marked done by the reviewer
    unmatched: list[Correction] = field(default_factory=list)  # source unknown to the cache
    #: Of the unmatched, those whose language pair the cache never translated at all.
    unknown_pairs: list[Correction] = field(default_factory=list)
    #: Glossary terms proposed in the review pages (only their JSON carries any).
    terms: list[TermProposal] = field(default_factory=list)


def apply_file(path: Path, cache: TranslationCache) -> ApplyReport:
    """Store the corrections of a review-page JSON, XLIFF 1.2 or TMX file.

    Raises:
        InputError: the file is unreadable or not one of those formats.
    """
    data = read_bytes(path, MAX_CONFIG_BYTES)
    report = ApplyReport()
    if data.lstrip()[:1] in (b"{", b"["):
        corrections, report.terms = load_review_file(path)
        report.unknown_pairs, unknown_segments = cache.unmatched(corrections)
        report.unmatched = [*report.unknown_pairs, *unknown_segments]
        report.applied = corrections  # a reviewer's own words are kept even if unmatched
    else:
        units = list(read_units(path, data))
        if not units:
            raise InputError(path, "no translation unit with a source and a target was read "
                                   "(not XLIFF 1.2 or TMX as Workbench and OmegaT write them)")
        report.units = len(units)
        _compare(_with_run_languages(units, cache), cache, report)
        report.unknown_pairs = cache.unmatched(report.unmatched)[0]
    cache.approve(report.applied)
    return report


def _with_run_languages(units: list[ReviewedUnit], cache: TranslationCache
                        ) -> list[ReviewedUnit]:
    """Units whose language the file got wrong get the run's (po2xliff writes "en-US").

    A unit of a pair the cache never translated takes the source language under which the
    cache knows its source text, if one does.
    """
    pairs = cache.language_pairs()
    lost = [u for u in units if (u.correction.src_lang, u.correction.tgt_lang) not in pairs]
    if not lost:
        return units
    found: dict[tuple[str, str], str] = {}
    for src, tgt in sorted(pairs):
        sources = [u.correction.src for u in lost if u.correction.tgt_lang == tgt]
        for text in {**cache.machine_translations(src, tgt, sources),
                     **cache.approved(src, tgt, sources)}:
            found.setdefault((text, tgt), src)
    return [replace(u, correction=replace(u.correction, src_lang=found[key]))
            if (key := (u.correction.src, u.correction.tgt_lang)) in found
            and (u.correction.src_lang, u.correction.tgt_lang) not in pairs else u
            for u in units]


def _compare(units: list[ReviewedUnit], cache: TranslationCache, report: ApplyReport) -> None:
    by_pair: dict[tuple[str, str], list[ReviewedUnit]] = {}
    for unit in units:
        by_pair.setdefault((unit.correction.src_lang, unit.correction.tgt_lang), []).append(unit)
    for (src, tgt), pair_units in by_pair.items():
        sources = [u.correction.src for u in pair_units]
        machine = cache.machine_translations(src, tgt, sources)
        approved = cache.approved(src, tgt, sources)
        for unit in pair_units:
            c = unit.correction
            known = machine.get(c.src, approved.get(c.src))
            if known is None:
                report.unmatched.append(c)
            elif c.tgt.strip() in (known.strip(), approved.get(c.src, "").strip()):
                report.unchanged += 1
            elif " ".join(c.tgt.split()) == " ".join(c.src.split()):
                report.source_as_english += 1  # an untranslated unit (OmegaT's copy)
            elif not unit.done:
                report.not_done += 1
            else:
                report.applied.append(c)


def read_units(path: Path, data: bytes) -> Iterator[ReviewedUnit]:
    """The units of an XLIFF 1.2 or TMX file, reduced to text."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise InputError(path, f"not a corrections file (not JSON, and not XML: {err.msg})",
                         err.lineno) from err
    kind = _local(root.tag)
    if kind == "xliff":
        yield from _xliff_units(root, path)
    elif kind == "tmx":
        yield from _tmx_units(root, path)
    else:
        raise InputError(path, f"not a corrections file (an XML <{kind}>, not XLIFF or TMX)")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _text(element) -> str:
    """The text of a source or target, inline codes dropped, marked-up text kept."""
    parts = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        if name in _TEXT_TAGS:
            parts.append(_text(child))
        elif name not in _CODE_TAGS and name:
            parts.append(_text(child))  # an unknown inline element: keep its words
        parts.append(child.tail or "")
    return "".join(parts)


def _xliff_units(root, path: Path) -> Iterator[ReviewedUnit]:
    # OmegaT never sets a state: a file with none at all is one whose edits are done
    # (Workbench's own XLIFF gives every unit one; tools that track review keep them).
    stateless = not any(el.get("state") or el.get("approved") == "yes" for el in root.iter()
                        if _local(el.tag) in ("target", "trans-unit"))
    for file in (el for el in root.iter() if _local(el.tag) == "file"):
        src_default = file.get("source-language", "")
        tgt_default = file.get("target-language", "en")
        article = file.get("original", "")
        for unit in (el for el in file.iter() if _local(el.tag) == "trans-unit"):
            sources, targets = _children(unit, "source"), _children(unit, "target")
            if not sources or not targets or unit.get("restype") == "x-gettext-domain-header":
                continue
            source, target = sources[0], targets[0]
            unit_article, _, index = (unit.get("id") or "").rpartition(":")
            correction = _correction(
                path, source.get(XML_LANG) or src_default, target.get(XML_LANG) or tgt_default,
                _text(source), _text(target), unit_article or article, index)
            if correction is not None:
                done = stateless or target.get("state") in DONE_STATES \
                    or unit.get("approved") == "yes"
                yield ReviewedUnit(correction, done)


def _tmx_units(root, path: Path) -> Iterator[ReviewedUnit]:
    header = next((el for el in root.iter() if _local(el.tag) == "header"), None)
    default_source = _language(header.get("srclang") if header is not None else None)
    for tu in (el for el in root.iter() if _local(el.tag) == "tu"):
        # TMX 1.4 names a variant's language in xml:lang, TMX 1.1 (OmegaT's exports) in lang.
        variants = {_language(tuv.get(XML_LANG) or tuv.get("lang")): tuv
                    for tuv in _children(tu, "tuv")}
        source_lang = _language(tu.get("srclang")) or (
            default_source if default_source in variants else "") or next(
            (lang for lang in variants if lang != "en"), "")
        if source_lang not in variants or "en" not in variants:
            continue
        segs = [_children(variants[lang], "seg") for lang in (source_lang, "en")]
        if not all(segs):
            continue
        article, _, index = (tu.get("tuid") or "").rpartition(":")
        correction = _correction(path, source_lang, "en", _text(segs[0][0]), _text(segs[1][0]),
                                 article, index)
        if correction is not None:
            yield ReviewedUnit(correction, True)


def _language(code: str | None) -> str:
    """A language code as the cache keeps it: ``NB``, ``nb-NO`` and ``nb_NO`` are ``nb``."""
    return (code or "").strip().lower().replace("_", "-").split("-")[0]


def _correction(path: Path, src_lang: str, tgt_lang: str, src: str, tgt: str, article: str,
                index: str) -> Correction | None:
    src_lang, tgt_lang = _language(src_lang), _language(tgt_lang)
    if not src.strip() or not tgt.strip():
        return None
    if not LANGUAGE_CODE.fullmatch(src_lang):
        raise InputError(path, f"unit {article}:{index} has no usable source language "
                               f"({src_lang[:20]!r})")
    return Correction(src_lang, tgt_lang, src.strip(), tgt.strip(), article,
                      int(index) if index.isdigit() and len(index) < 10 else -1)
