"""What the desk shows of a segment: its English now, why it is flagged, what the glossary did.

The English shown is the cache's approved English when there is some (approvals are stored
the moment a reviewer makes them, long before the next run rewrites ``records.jsonl``), else
the run's. QA flags are computed again on that English, so an approval's QA is current too
(the machine English's ``qa:low-score`` goes with it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from workbench.glossary.enforce import verify_approved
from workbench.outputs.review_pages import review_flags
from workbench.qa.checks import findings, with_qa
from workbench.records import TRANSLATED_KINDS, Record, Status

#: What to do about each flag: the reviewer's next step, shown under the reason.
HINTS = {
    "missed-term": "The glossary entry's English is missing: edit the sentence, or add the "
                   "form the source uses to the entry (select it in the source).",
    "qa:number": "A number differs: check the figure, unit and date in the English.",
    "qa:url": "An address was changed or lost: copy it from the source.",
    "qa:untranslated": "Source words were copied: translate them, or approve if they are "
                       "names.",
    "qa:repetition": "The model looped: rewrite the sentence.",
    "qa:length": "The English is much longer or shorter than the source: check for a "
                 "dropped or invented clause.",
    "qa:low-score": "The model was unsure: read it closely.",
    "qa:forbidden": "The English uses a rendering the glossary forbids: use the entry's.",
    "no-model": "No model for this language is installed: write the English, or install it "
                "(workbench models install).",
    "failed": "The engine failed on it: write the English, or run translate again.",
    "duplicate": "This repeats an earlier segment of the article (shown): the site printed "
                 "it twice.",
    "glued": "Words were run together on the page and split here: check the split in the "
             "source and its English.",
    "name:unconfirmed": "An unseen name the run protected in the English shown: press c to "
                        "accept it into the glossary with every form of the run, or r to "
                        "correct its English first.",
    "lang-guess": "The language detector disagreed with the article's language; the article's "
                  "was used.",
}


def reviewable(record: Record) -> bool:
    """Whether a reviewer can give a record English (what the run left as it is: no)."""
    return record.kind in TRANSLATED_KINDS and record.status is not Status.KEPT


def current(record: Record, approved: str | None, machine: str | None) -> Record:
    """The record as the desk shows it: approved English wins; a withdrawn one falls back."""
    if approved is not None and reviewable(record):
        if approved == record.tgt and record.status is Status.APPROVED:
            return record
        # QA made for the machine English (qa:low-score, ...) is checked again on this one.
        return with_qa(replace(record, tgt=approved, status=Status.APPROVED, score=None,
                               glossary=verify_approved(approved, record.glossary)))
    if record.status is Status.APPROVED:  # approved at run time, withdrawn since
        return with_qa(replace(record, tgt=machine,
                               status=Status.CACHED if machine else Status.FAILED))
    return record


def segment_view(record: Record, by_index: dict[int, Record]) -> dict[str, Any]:
    """The JSON the desk's page renders one segment from (text only: the page escapes it)."""
    qa = {f.flag: f.reason for f in findings(record)}
    flags = []
    for flag in review_flags(record):
        if flag == "approved":
            continue
        reason = qa.get(flag) or _reason(flag, record)
        flags.append({"flag": flag, "reason": reason, "hint": HINTS.get(flag, "")})
    if "name:unconfirmed" in qa:  # not a review page filter (yet): the desk shows it
        flags.append({"flag": "name:unconfirmed", "reason": qa["name:unconfirmed"],
                      "hint": HINTS["name:unconfirmed"]})
    copies = _copied(record, by_index)
    return {
        "index": record.index, "kind": record.kind.value, "line": record.line,
        "src_lang": record.src_lang, "src": record.src, "tgt_lang": record.tgt_lang,
        "tgt": record.tgt, "status": record.status.value, "score": record.score,
        "reviewable": reviewable(record), "approved": record.status is Status.APPROVED,
        "flags": flags,
        "copies": copies,
        "glossary": [{"entry": hit.target, "form": hit.term, "found": hit.found,
                      "enforced": hit.enforced, "cause": hit.cause,
                      "forbidden": list(hit.forbidden), "auto": hit.auto}
                     for hit in record.glossary],
    }


def _copied(record: Record, by_index: dict[int, Record]) -> dict[str, Any] | None:
    for flag in record.flags:
        kind, _, number = flag.partition("-of:")
        if kind in ("duplicate", "near-duplicate") and number.isdigit():
            original = by_index.get(int(number))
            return {"index": int(number), "exact": kind == "duplicate",
                    "src": original.src if original else None}
    return None


def _reason(flag: str, record: Record) -> str:
    """Why a non-QA flag was raised, in words."""
    if flag == "missed-term":
        missed = dict.fromkeys(f"{hit.term!r} → {hit.target!r}"
                               + (f" ({hit.cause})" if hit.cause else "")
                               for hit in record.glossary if not hit.found)
        return "glossary English not in the translation: " + "; ".join(missed)
    if flag == "duplicate":
        copy = next((f for f in record.flags if "duplicate-of:" in f), "")
        exact = not copy.startswith("near-")
        return (f"{'the same text as' if exact else 'nearly the same text as'} segment "
                f"{copy.rpartition(':')[2]}")
    if flag == "lang-guess":
        guess = next((f.partition(":")[2] for f in record.flags if f.startswith("lang-guess:")),
                     "?")
        return f"detected as {guess!r}; translated as {record.src_lang!r}, the article's"
    return {"no-model": f"no {record.src_lang}→{record.tgt_lang} model is installed",
            "failed": "the engine failed on this segment",
            "glued": "the page ran words together (\"desPolitbüros\"); they were split "
                     "before translating"}.get(flag, flag)
