"""Automatic names at the desk: accepted into the glossary, or corrected, with one key.

An automatic name is an unseen Vietnamese name the run found and protected provisionally
(``"auto": true`` on its glossary hit, flagged ``name:unconfirmed``). Accepting it saves an
entry with its English and every form the run has of it, in every language; correcting it
saves the same entry with the reviewer's English. Either goes through the desk's term save
(:class:`workbench.desk.terms.TermDesk`): the same validated path as ``workbench glossary
add``, the segments it changes translated again at once, undoable, and the next run finds
the name curated.
"""

from __future__ import annotations

from typing import Any

from workbench.desk.session import DeskError, entered
from workbench.desk.terms import MAX_TERM_CHARS, TermDesk, TermRequest
from workbench.glossary.suggest import Candidate
from workbench.outputs.run_folder import read_records
from workbench.run.auto import used_names

#: The note an accepted (or corrected) name's entry carries.
ACCEPTED_NOTE = "automatic name accepted at the review desk"


def name_request(data: dict[str, Any], corrected: bool) -> tuple[str, str | None]:
    """The automatic name's English (and, to correct it, the new English) a page posted.

    Raises:
        DeskError: a field is missing, not text, too long, or breaks the rule for entered
            text.
    """
    def text(name: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise DeskError(f"give the name's {name}")
        value = entered(value, name)
        if len(value) > MAX_TERM_CHARS:
            raise DeskError(f"{name} is over {MAX_TERM_CHARS} characters")
        return value

    return text("english"), text("target") if corrected else None


class NameDesk:
    """Accept or correct the run's automatic names, through the desk's glossary changes."""

    def __init__(self, terms: TermDesk) -> None:
        self.terms = terms

    def save(self, english: str, target: str | None = None) -> dict[str, Any]:
        """Save the name as an entry (its English, or ``target``); as a term save answers."""
        name = self._name(english)
        forms = [(lang, form) for lang, counter in sorted(name.by_lang.items())
                 for form, _ in counter.most_common()]
        (lang, form), *more = forms
        note = ACCEPTED_NOTE if target is None or target == english else \
            f"{ACCEPTED_NOTE}, corrected from {english}"
        request = TermRequest(form, lang, target or english, name.type, note,
                              more=tuple(more))
        answer = self.terms.save(request)
        return {**answer, "name": english, "target": request.target, "type": name.type,
                "forms": {lang: [f for ln, f in forms if ln == lang] for lang, _ in forms}}

    def _name(self, english: str) -> Candidate:
        """The run's automatic name with this English, with every form the run has."""
        used = used_names(read_records(self.terms.session.out_dir), self.terms.glossary())
        name = next((n for n in used if n.source == english), None)
        if name is None:
            raise DeskError(f"no automatic name {english!r} in this run (accepted already, "
                            "or not one the run protected)", 404)
        return name
