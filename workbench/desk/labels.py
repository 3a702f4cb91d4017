"""Label fixes made at the desk: a line relabelled from the keyboard becomes a site rule.

A relabel goes through ``sites.edit``, the same validated path as ``workbench labels add``,
into the rules folder the run used (``run.json`` names it: the project's ``labels/``). The
run's records are not rewritten: the desk shows what the next ``translate`` will do (every
line of this run the rule relabels, in every article of the site), and marks each line whose
kind the rules change. That run prepares again only those articles and translates only the
lines that became translatable; a relabel is cheap to make and to take back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.desk.session import DeskError, DeskSession
from workbench.errors import InputError, WorkbenchError
from workbench.records import ArticleInfo, Record
from workbench.sites.edit import plan_add, rule_kind, write_edit
from workbench.sites.preview import article_lines, preview_edit
from workbench.sites.rules import RuleSet, article_site, read_rules_file

#: Changed lines a relabel's answer lists (all are counted).
SHOWN_CHANGES = 200


def relabel_request(data: dict[str, Any]) -> tuple[str, int, str]:
    """``(article, segment index, kind)`` of a relabel posted by the page.

    Raises:
        DeskError: a field is missing or of the wrong type, or the kind is unknown.
    """
    article, index, kind = data.get("article"), data.get("index"), data.get("kind")
    if not isinstance(article, str):
        raise DeskError("article must be text")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 2**31:
        raise DeskError("index must be a whole number")
    if not isinstance(kind, str):
        raise DeskError("kind must be text")
    try:
        rule_kind(kind)
    except WorkbenchError as err:
        raise DeskError(str(err)) from None
    return article, index, kind


class LabelDesk:
    """Site rules for one desk session, in the rules folder its run used."""

    def __init__(self, session: DeskSession) -> None:
        self.session = session
        self._files: dict[Path, tuple[tuple[int, int], RuleSet]] = {}

    @property
    def folder(self) -> Path | None:
        """The run's rules folder (None: a run made outside a project has none)."""
        folder = (self.session.manifest.get("labels") or {}).get("dir")
        return Path(folder) if isinstance(folder, str) and folder else None

    def relabel(self, article: str, index: int, kind: str) -> dict[str, Any]:
        """Give the line of segment ``index`` the kind ``kind`` on every page of its site.

        Returns the rule written and every line of this run it relabels.
        """
        session = self.session
        if session.read_only:
            raise DeskError("this desk is read-only (started with --read-only)", 403)
        folder = self.folder
        if folder is None:
            raise DeskError("this run was made outside a project, so it has no site rules "
                            "folder: translate inside a project (workbench init), then "
                            "review again", 409)
        with session.lock:
            session.refresh()
            info, records = self._article(article)
            record = next((r for r in records if r.index == index), None)
            if record is None:
                raise DeskError(f"article {article[:80]!r} has no segment {index}", 404)
            site = article_site(info.source_url, info.site)
            if site is None:
                raise DeskError("this article has no known site (no source URL), so no site "
                                "rule can apply to it", 409)
            line = next(x for x in article_lines(records) if x.number == record.line)
            try:
                edit = plan_add(folder, site, kind, line=line.text)
                if edit.outcome == "unchanged" or (line.kind.value == kind and
                                                   edit.before.kind_of(line.text) is None):
                    raise DeskError(f"this line is {kind} already: nothing to change", 409)
                write_edit(folder, edit)
            except DeskError:
                raise
            except WorkbenchError as err:
                raise DeskError(str(err), 409) from err
            shown = preview_edit(self._of_site(site), edit.before, edit.after, site)
            return {"site": site, "file": str(edit.file), "outcome": edit.outcome,
                    "number": edit.rule.number if edit.rule else 0, "line": line.text,
                    "kind": kind, "count": len(shown.changes),
                    "articles": shown.changed_articles,
                    "changes": [{"article": c.article, "line": c.line, "index": c.index,
                                 "text": c.text, "old": c.old.value,
                                 "new": c.new.value if c.new else None}
                                for c in shown.changes[:SHOWN_CHANGES]],
                    "notes": list(shown.notes())}

    def annotate(self, view: dict[str, Any]) -> dict[str, Any]:
        """An article page with its site, and each segment the rules on disk now relabel.

        ``relabel`` on a segment is the kind the next run gives its line. A rules file made
        unreadable by hand is named in ``site_rules.error``; the page still shows.
        """
        info = view.get("info") or {}
        site = article_site(info.get("source_url"), info.get("site"))
        folder = self.folder
        about: dict[str, Any] = {"site": site, "folder": str(folder) if folder else None}
        view["site_rules"] = about
        if site is None or folder is None:
            return view
        try:
            rules = self._rules(folder / f"{site}.toml")
        except InputError as err:
            about["error"] = str(err)
            return view
        if rules is None:
            return view
        lines: dict[int, list[str]] = {}
        for segment in view["segments"]:
            lines.setdefault(segment["line"], []).append(segment["src"])
        for segment in view["segments"]:
            new = rules.kind_of(" ".join(lines[segment["line"]]))
            if new is not None and new.value != segment["kind"]:
                segment["relabel"] = new.value
        return view

    def _rules(self, file: Path) -> RuleSet | None:
        """A site's rules as the file is now, read again only when it changed."""
        try:
            found = file.lstat()
        except FileNotFoundError:
            return None
        stamp = (found.st_mtime_ns, found.st_size)
        known = self._files.get(file)
        if known is None or known[0] != stamp:
            known = (stamp, read_rules_file(file))
            self._files[file] = known
        return known[1]

    def _article(self, article: str) -> tuple[ArticleInfo, list[Record]]:
        entry = self.session.index.articles.get(article)
        if entry is None:
            raise DeskError(f"no article {article[:80]!r} in this run", 404)
        return entry.info, self.session.index.records(article)

    def _of_site(self, site: str) -> Iterator[tuple[ArticleInfo, list[Record]]]:
        """Every article of the run; records only for those of ``site`` (the rest: none)."""
        index = self.session.index
        for entry in index.articles.values():
            own = article_site(entry.info.source_url, entry.info.site) == site
            yield entry.info, index.records(entry.article) if own else []
