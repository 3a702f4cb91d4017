"""``workbench qa``: the sentences automatic QA points at, with reasons."""

from __future__ import annotations

import json
from pathlib import Path

import click

from workbench.cli.base import CONTEXT, EXIT_INCOMPLETE, cli, fail_on_errors, json_option
from workbench.outputs.run_folder import read_records
from workbench.qa.checks import qa_run


@cli.command("qa", context_settings=CONTEXT)
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option()
@fail_on_errors
def qa(out_dir: Path, json_: bool) -> None:
    """Report what automatic QA flags in the run in OUT_DIR.

    Counts per flag and per article, and each flagged sentence with its source, English and
    reason.

    \b
    Checks: qa:number, qa:url, qa:untranslated, qa:repetition, qa:length, qa:low-score,
    qa:forbidden (see README). Exits with code 3 when anything is flagged.
    """
    report = qa_run(read_records(out_dir))
    if json_:
        click.echo(json.dumps({
            "flags": dict(report.flags.most_common()),
            "articles": {a: dict(c) for a, c in report.articles.items()},
            "segments": [{"article": r.article, "index": r.index, "src": r.src, "tgt": r.tgt,
                          "status": r.status.value, "flags": [f.flag for f in found],
                          "reasons": {f.flag: f.reason for f in found}}
                         for r, found in report.segments],
        }, ensure_ascii=False, indent=2))
    else:
        for record, found in report.segments:
            click.echo(f"{record.article} #{record.index} [{record.status.value}]")
            click.echo(f"  source:  {record.src}")
            click.echo(f"  English: {record.tgt}")
            for finding in found:
                click.echo(f"  {finding.flag}: {finding.reason}")
        for article, counts in report.articles.items():
            click.echo(f"{article}: " + ", ".join(f"{f} {n}" for f, n in counts.most_common()),
                       err=True)
        totals = ", ".join(f"{f} {n}" for f, n in report.flags.most_common()) or "nothing"
        click.echo(f"{len(report.segments)} flagged segments: {totals}.", err=True)
    if report.segments:
        raise SystemExit(EXIT_INCOMPLETE)
