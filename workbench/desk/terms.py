"""Glossary changes made at the desk: previewed, saved, the run re-translated, undoable.

A change goes through ``glossary.edit.add_term``, the same validated path as ``workbench
glossary add``: a duplicate or a form another entry owns is refused with both places, and
nothing is written. Before saving, ``glossary.preview`` lists the segments whose glossary
matches the change alters: exactly those a run would translate again. On saving they are
translated again at once with the run's models and engine settings (``run.pipeline
.translate_again``: the same cache keys as a run), so the next ``translate`` finds every one
in the cache and translates nothing. Undo writes the glossary file back and translates the
same segments again, which the cache answers with their earlier English.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.desk.run_index import review_key
from workbench.desk.session import DeskError, DeskSession, entered
from workbench.engines.lookup import ArgosEngines, KeptLoaded
from workbench.errors import WorkbenchError
from workbench.glossary.auto_names import AutoNames
from workbench.glossary.edit import add_term, default_file, restore_files
from workbench.glossary.preview import edited_glossary, preview
from workbench.glossary.store import LATIN, Glossary, load_glossary
from workbench.outputs.ownership import claimed
from workbench.outputs.run_folder import read_records
from workbench.records import TERM_TYPES, Record
from workbench.review.corrections import LANGUAGE_CODE
from workbench.run.auto import names_in_records
from workbench.run.export import replace_records
from workbench.run.pipeline import RunContext, translate_again
from workbench.run.stats import RunStats
from workbench.settings import Settings

#: Longest source form or English target accepted from the page.
MAX_TERM_CHARS = 200
#: Segments a preview lists (all are counted, and all are translated on saving).
SHOWN_SEGMENTS = 500


@dataclass(frozen=True)
class TermRequest:
    """A source form and its English, as a new entry or a form of an existing one."""

    form: str
    lang: str
    target: str
    type: str
    note: str = ""
    extends: bool = False  # add the form to the entry with this target and type
    #: More ``(language, form)`` pairs (an automatic name's every form in the run).
    more: tuple[tuple[str, str], ...] = ()

    def forms(self) -> dict[str, list[str]]:
        """Every form, per language, as ``glossary.edit.add_term`` takes them."""
        forms: dict[str, list[str]] = {}
        for lang, form in ((self.lang, self.form), *self.more):
            if form not in forms.setdefault(lang, []):
                forms[lang].append(form)
        return forms


def term_request(data: dict[str, Any]) -> TermRequest:
    """Check a term posted by the page.

    Raises:
        DeskError: a field is missing, too long, not one of the allowed values, or text that
            breaks the rule for entered text (a control character, a bidi control...).
    """
    def text(name: str, required: bool = True) -> str:
        value = data.get(name, "")
        if not isinstance(value, str):
            raise DeskError(f"{name} must be text")
        if not value.strip():
            if required:
                raise DeskError(f"give the term's {name}")
            return ""
        value = entered(value, name)  # the glossary's own check says the same, later
        if len(value) > MAX_TERM_CHARS:
            raise DeskError(f"{name} is over {MAX_TERM_CHARS} characters")
        return value

    lang = text("lang")
    if lang != LATIN and not LANGUAGE_CODE.fullmatch(lang):
        raise DeskError(f"lang {lang[:20]!r} is not a language code (or {LATIN!r}, for every "
                        "Latin-script language)")
    kind = text("type")
    if kind not in TERM_TYPES:
        raise DeskError(f"type must be one of {', '.join(TERM_TYPES)}")
    return TermRequest(text("form"), lang, text("target"), kind, text("note", False),
                       data.get("extends") is True)


@dataclass
class TermChange:
    """A saved change, kept so it can be undone."""

    number: int
    file: Path
    text_before: str
    text_after: str
    segments: list[tuple[str, int]]


class TermDesk:
    """Glossary changes for one desk session; models are loaded once, when first needed."""

    def __init__(self, session: DeskSession, settings: Settings) -> None:
        self.session = session
        manifest = session.manifest
        self.paths = [Path(p) for p in (manifest.get("glossary") or {}).get("files", [])]
        engine = {k: v for k, v in (manifest.get("engine_settings") or {}).items()
                  if k in Settings.__dataclass_fields__}
        if "models_dir" in engine:
            engine["models_dir"] = Path(engine["models_dir"])
        self.settings = settings.with_(cache_path=session.cache_path,
                                       glossary_paths=tuple(self.paths),
                                       tgt_lang=manifest.get("tgt_lang") or settings.tgt_lang,
                                       **engine)
        self._engines: KeptLoaded | None = None
        self._changes: dict[int, TermChange] = {}
        self._plan: tuple[tuple, tuple[str, list[tuple[str, int]]]] | None = None
        self._numbers = itertools.count(1)

    @property
    def engines(self) -> KeptLoaded:
        """The run's models, looked up (and loaded) on first use only."""
        if self._engines is None:
            self._engines = KeptLoaded(ArgosEngines(self.settings))
        return self._engines

    def glossary(self) -> Glossary:
        """The glossary as it is on disk now."""
        paths = [p for p in self.paths if p.exists()]
        return load_glossary(paths) if paths else Glossary()

    def auto_names(self, glossary: Glossary) -> AutoNames | None:
        """The automatic names a run of this glossary finds, when the run used any.

        As the next ``translate`` finds them, so what is translated again has its keys.
        """
        if not self.session.manifest.get("auto_names"):
            return None
        return names_in_records(read_records(self.session.out_dir), glossary,
                                self.settings.tgt_lang, self.session.cache)

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, for the page's glossary pane and its "form of an entry" choice."""
        return [{"target": t.target, "type": t.type, "forms": {k: list(v) for k, v in
                                                              t.forms.items()},
                 "note": t.note, "forbidden": list(t.forbidden)}
                for t in self._checked(self.glossary).terms]

    def preview(self, request: TermRequest) -> dict[str, Any]:
        """What saving the change would do: its outcome, and every segment re-translated."""
        if self.session.read_only:
            raise DeskError("this desk is read-only (started with --read-only)", 403)
        with self.session.lock:
            self.session.refresh()
            outcome, segments = self._planned(request)
            return {"outcome": outcome, "count": len(segments),
                    "segments": self._shown(segments)}

    def save(self, request: TermRequest) -> dict[str, Any]:
        """Write the change and translate its segments again now; return before and after."""
        session = self.session
        if session.read_only:
            raise DeskError("this desk is read-only (started with --read-only)", 403)
        with session.lock:
            session.refresh()
            outcome, segments = self._planned(request)
            if outcome == "unchanged":
                raise DeskError("the glossary already says this: nothing to save", 409)
            records = self._records(segments)
            self._check_models(records)
            self._check_folder()
            file = self._file_for(request)
            before = file.read_text("utf-8") if file.exists() else ""
            self._checked(lambda: add_term(file, request.target, request.type,
                                           request.forms(), request.note,
                                           self.paths))
            english = self._translate(records)
            change = TermChange(next(self._numbers), file, before, file.read_text("utf-8"),
                                segments)
            self._changes[change.number] = change
            return {"change": change.number, "outcome": outcome, "count": len(segments),
                    "segments": self._compared(records, english)}

    def undo(self, number: int) -> dict[str, Any]:
        """Write the glossary file back as it was and give the segments their English back."""
        session = self.session
        if session.read_only:
            raise DeskError("this desk is read-only (started with --read-only)", 403)
        with session.lock:
            change = self._changes.get(number)
            if change is None:
                raise DeskError(f"no glossary change {number} to undo in this desk session",
                                404)
            now = change.file.read_text("utf-8") if change.file.exists() else ""
            if now != change.text_after:
                raise DeskError(f"{change.file} was edited since this change; undo it there "
                                "(or with `workbench glossary remove`)", 409)
            session.refresh()
            records = self._records(change.segments)
            self._check_folder()
            self._checked(lambda: restore_files({change.file: change.text_before},
                                                self.paths))
            english = self._translate(records)
            del self._changes[number]
            return {"undone": number, "count": len(change.segments),
                    "segments": self._compared(records, english)}

    # -- the steps -----------------------------------------------------------------------

    def _file_for(self, request: TermRequest) -> Path:
        if not self.paths:
            raise DeskError("this run used no glossary: translate inside a project (workbench "
                            "init) or with --glossary, then review again", 409)
        if request.extends:
            entry = next((t for t in self.glossary().terms if t.target == request.target
                          and t.type == request.type), None)
            if entry is None:
                raise DeskError(f"no {request.type} entry {request.target!r} to add the form "
                                "to", 404)
            return Path(entry.file)
        folder = next((p for p in self.paths if p.is_dir()), None)
        return default_file(folder, request.type) if folder is not None else self.paths[0]

    def _planned(self, request: TermRequest) -> tuple[str, list[tuple[str, int]]]:
        """The edit's outcome and the segments it re-translates, nothing written.

        The last plan is kept while the run's records and the glossary files are as they
        were, so "Save" after "Preview" does not match the whole run again.
        """
        key = (request, self.session.index.stamp, tuple(
            (str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in self._glossary_files()),
            frozenset(self.session.approved))
        if self._plan is not None and self._plan[0] == key:
            return self._plan[1]
        plan = self._plan_afresh(request)
        self._plan = (key, plan)
        return plan

    def _glossary_files(self) -> list[Path]:
        """The glossary's files as they are now (a folder's ``*.toml``)."""
        found = []
        for path in self.paths:
            found += sorted(path.glob("*.toml")) if path.is_dir() else [path]
        return [f for f in found if f.exists()]

    def _plan_afresh(self, request: TermRequest) -> tuple[str, list[tuple[str, int]]]:
        file = self._file_for(request)
        before = self.glossary()
        added, after = self._checked(lambda: edited_glossary(
            lambda: add_term(file, request.target, request.type,
                             request.forms(), request.note, self.paths)))
        shown = preview(self.session.out_dir, before, after, self.session.cache)
        approved = self.session.approved
        segments = [(article, index) for article, index, _ in shown.segments]
        if approved:  # a reviewer's English stays whatever the glossary says
            kept = {(r.article, r.index) for r in self._records(segments).values()
                    if review_key(r) in approved}
            segments = [s for s in segments if s not in kept]
        return added.outcome, segments

    def _records(self, segments: list[tuple[str, int]]) -> dict[tuple[str, int], Record]:
        """The run's records of these segments, as ``records.jsonl`` has them."""
        wanted: dict[str, set[int]] = {}
        for article, index in segments:
            wanted.setdefault(article, set()).add(index)
        found = {}
        for article, indexes in wanted.items():
            for record in self.session.index.records(article):
                if record.index in indexes:
                    found[(article, record.index)] = record
        return found

    def _check_folder(self) -> None:
        """Refuse before the glossary is written when the run's records cannot be.

        A save that wrote the glossary and then found ``records.jsonl`` replaced by a link
        (or another run holding the folder) answered 500 with the change half made.
        """
        try:
            with claimed(self.session.out_dir):
                pass
        except WorkbenchError as err:
            raise DeskError(f"nothing saved: the run's records could not be written ({err})",
                            409) from err

    def _check_models(self, records: dict[tuple[str, int], Record]) -> None:
        missing = sorted({(r.src_lang, r.tgt_lang) for r in records.values()
                          if not self.engines.installed(r.src_lang, r.tgt_lang)})
        if missing:
            pairs = ", ".join(f"{s}→{t}" for s, t in missing)
            raise DeskError(f"no {pairs} model is installed in {self.settings.models_dir}: the "
                            "segments this change re-translates would lose their English. "
                            "Install it (workbench models install), then save again.", 409)

    def _translate(self, records: dict[tuple[str, int], Record]) -> dict[tuple[str, int],
                                                                          Record]:
        """Translate again under the glossary on disk, and write the run's records."""
        if not records:
            return {}
        glossary = self.glossary()
        context = RunContext(self.engines, self.session.cache, RunStats(), glossary,
                             self.settings.tgt_lang, auto=self.auto_names(glossary))
        again = translate_again(records.values(), context)
        if context.stats.errors:
            raise DeskError("translating again failed: " + "; ".join(context.stats.errors), 500)

        def checked(article_records: list[Record]) -> list[Record]:
            return list(context.qa.checked(article_records))

        try:
            with claimed(self.session.out_dir):
                replace_records(self.session.out_dir, again, checked, glossary.version)
        except WorkbenchError as err:
            raise DeskError(f"the glossary is saved and the segments are in the cache, but "
                            f"the run's records could not be written ({err}); `workbench "
                            "translate` again brings them up to date", 500) from err
        finally:
            context.qa.flush()
        self.session.refresh()
        return again

    def _shown(self, segments: list[tuple[str, int]]) -> list[dict[str, Any]]:
        records = self._records(segments[:SHOWN_SEGMENTS])
        return [{"article": a, "index": i, "src": r.src, "tgt": r.tgt}
                for (a, i), r in records.items()]

    def _compared(self, before: dict[tuple[str, int], Record],
                  after: dict[tuple[str, int], Record]) -> list[dict[str, Any]]:
        return [{"article": a, "index": i, "src": r.src, "before": r.tgt,
                 "after": after[(a, i)].tgt if (a, i) in after else None,
                 "status": after[(a, i)].status.value if (a, i) in after else None}
                for (a, i), r in itertools.islice(before.items(), SHOWN_SEGMENTS)]

    @staticmethod
    def _checked(step):
        """Run a glossary step; its refusals become the desk's (with the same words)."""
        try:
            return step()
        except DeskError:
            raise
        except WorkbenchError as err:
            raise DeskError(str(err), 409) from err
