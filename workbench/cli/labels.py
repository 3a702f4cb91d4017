"""``workbench labels``: site rules, the label fixes a reviewer makes once per site."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from workbench.cli.base import CONTEXT, cli, count, current_project, fail_on_errors, json_option
from workbench.display import safe_text
from workbench.outputs.run_folder import read_articles
from workbench.sites.edit import Edit, plan_add, plan_remove, write_edit
from workbench.sites.preview import preview_edit
from workbench.sites.rules import RULE_KINDS, load_site_rules, normalize_site

KIND_NAMES = [k.value for k in RULE_KINDS]


@cli.group("labels", context_settings=CONTEXT)
def labels_group() -> None:
    """Fix the labels of a site's lines once; every later run applies the fix (site rules).

    \b
    A site rule gives a line of one site's pages a kind, whatever the labeller says:
      workbench labels add vietnamplus.vn --line "Đọc thêm" --kind boilerplate
      workbench labels add svt.se --pattern 'Lyssna: \\d+ min' --kind boilerplate
      workbench labels add nhandan.vn --line "Foto: VNA" --kind credit --preview out/
      workbench labels list
      workbench labels remove vietnamplus.vn --line "Đọc thêm"

    \b
    Kinds: body, title, caption (translated); credit, byline, dateline, source,
    boilerplate (kept as they are). A rule never drops text: every line stays in the
    records, only what is translated changes.

    Rules live in the project's labels/ folder, one file per site (labels/<site>.toml, made
    on first use; edit it by hand as you like). The next `workbench translate` applies them
    to every article of that site (the site is the domain of its source URL), prepares again
    only the articles whose labels change, translates only the lines that became
    translatable, and names the rules files in run.json. The review desk adds rules too
    (key l on a line).
    """


def labels_dir_option(func: Callable) -> Callable:
    """``--labels DIR``: the rules folder, by default the project's labels/."""
    return click.option("--labels", "labels_dir", type=click.Path(file_okay=False,
                                                                  path_type=Path),
                        callback=_default_labels,
                        help="Site rules folder. [default: the project's labels/]")(func)


def _default_labels(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    if value is not None:
        return value
    project = current_project()
    if project is None:
        raise click.ClickException("not in a workbench project (no workbench.toml here or "
                                   "above), so there are no site rules: run `workbench init`, "
                                   "or pass --labels DIR")
    return project.labels_dir


def preview_option(func: Callable) -> Callable:
    """``--preview OUT_DIR``: show the lines of a run the edit would relabel; write nothing."""
    return click.option("--preview", "preview_dir", metavar="OUT_DIR",
                        type=click.Path(exists=True, file_okay=False, path_type=Path),
                        help="List the lines of the run in OUT_DIR whose kind this change "
                             "would change (article, line, old kind -> new kind), and write "
                             "nothing.")(func)


def subject_options(func: Callable) -> Callable:
    """``--line TEXT`` or ``--pattern REGEX``: which lines a rule is for."""
    func = click.option("--pattern", metavar="REGEX",
                        help="A regular expression the whole line must match (Python `regex` "
                             "syntax; (?i) ignores case).")(func)
    return click.option("--line", metavar="TEXT",
                        help="The exact line, as the page shows it (spaces do not matter).")(
        func)


@labels_group.command("list", context_settings=CONTEXT)
@click.option("--site", help="Only this site's rules (a domain or a URL of one of its pages).")
@labels_dir_option
@json_option()
@fail_on_errors
def labels_list(site: str | None, labels_dir: Path, json_: bool) -> None:
    """List the site rules: site, kind, the line (or /pattern/), and file:line."""
    rules = load_site_rules(labels_dir)
    wanted = _site(site) if site else None
    shown = [rule for name, rules_ in sorted(rules.sets.items()) if wanted in (None, name)
             for rule in rules_.rules]
    if json_:
        click.echo(json.dumps([{"site": Path(r.file).name.removesuffix(".toml"),
                                **r.to_dict()} for r in shown], ensure_ascii=False, indent=2))
        return
    if not shown:
        click.echo(f"No site rules in {labels_dir}" + (f" for {wanted}" if wanted else "")
                   + "; add one with `workbench labels add SITE --line TEXT --kind KIND`.",
                   err=True)
        return
    for rule in shown:
        site_name = Path(rule.file).name.removesuffix(".toml")
        note = f"\t# {safe_text(rule.note)}" if rule.note else ""
        click.echo(f"{site_name}\t{rule.kind.value}\t{safe_text(rule.shown)}\t"
                   f"{rule.file}:{rule.number}{note}")


@labels_group.command("add", context_settings=CONTEXT)
@click.argument("site")
@subject_options
@click.option("--kind", type=click.Choice(KIND_NAMES), required=True,
              help="The kind the line must have.")
@click.option("--note", default="", help="Why, for people reading the rules file.")
@preview_option
@labels_dir_option
@fail_on_errors
def labels_add(site: str, line: str | None, pattern: str | None, kind: str, note: str,
               preview_dir: Path | None, labels_dir: Path) -> None:
    """Give a line of SITE's pages (or every line a pattern matches) a kind.

    \b
    SITE is a domain (vietnamplus.vn; www. does not matter) or a URL of one of its pages.
      workbench labels add vietnamplus.vn --line "Đọc thêm" --kind boilerplate
      workbench labels add svt.se --pattern 'Foto: .+' --kind credit --preview out/

    The same line (or pattern) again with another kind changes that rule. The rule is
    validated as a run reads it (a pattern that could match any line is refused) and
    written to labels/<site>.toml.
    """
    edit = plan_add(labels_dir, site, kind, line, pattern, note)
    _done(edit, labels_dir, preview_dir)


@labels_group.command("remove", context_settings=CONTEXT)
@click.argument("site")
@subject_options
@preview_option
@labels_dir_option
@fail_on_errors
def labels_remove(site: str, line: str | None, pattern: str | None, preview_dir: Path | None,
                  labels_dir: Path) -> None:
    """Remove SITE's rule for a line (or a pattern): the labeller decides that line again."""
    _done(plan_remove(labels_dir, site, line, pattern), labels_dir, preview_dir)


def _done(edit: Edit, labels_dir: Path, preview_dir: Path | None) -> None:
    """Show what the edit changes in a run (``--preview``), or write it and say so."""
    if preview_dir is not None:
        _preview(edit, preview_dir)
        return
    write_edit(labels_dir, edit)
    rule = edit.rule
    shown = f" {safe_text(rule.shown)!r} -> {rule.kind.value}" if rule is not None else ""
    verb = {"added": "Added", "changed": "Changed", "removed": "Removed",
            "unchanged": "Unchanged (the rule is already there):"}[edit.outcome]
    click.echo(f"{verb}{shown} in {edit.file}", err=True)


def _preview(edit: Edit, out_dir: Path) -> None:
    shown = preview_edit(read_articles(out_dir), edit.before, edit.after, edit.site)
    click.echo(f"This change would relabel {count(len(shown.changes), 'line')} of {out_dir}, "
               f"in {count(shown.changed_articles, 'article')} of {edit.site}:")
    for change in shown.changes:
        new = change.new.value if change.new is not None else "as the labeller says"
        click.echo(f"  {safe_text(change.article)} line {change.line}: {change.old.value} -> "
                   f"{new}: {safe_text(change.text)[:100]}")
    for note in shown.notes():
        click.echo(f"Note: {note}.", err=True)
    click.echo("Nothing was written (--preview).", err=True)


def _site(site: str) -> str:
    try:
        return normalize_site(site)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--site") from err
