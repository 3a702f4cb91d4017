"""``workbench review``: serve a run's review desk on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.base import CONTEXT, build_settings, cli, fail_on_errors, open_in_browser
from workbench.desk.serve import LOOPBACK, open_desk


@cli.command("review", context_settings=CONTEXT)
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (0: any free one).  [default: 8377, or a free one "
                   "when it is taken]")
@click.option("--no-open", is_flag=True, help="Print the desk's URL; don't open a browser.")
@click.option("--read-only", is_flag=True,
              help="Show the run without letting anyone change it (for showing it to others).")
@click.option("--host", default=LOOPBACK, show_default=True, metavar="ADDRESS",
              help="Address to listen on. Anything but loopback lets other machines in: the "
                   "desk then warns, and still asks every change for its token.")
@fail_on_errors
def review(out_dir: Path, port: int | None, no_open: bool, read_only: bool, host: str) -> None:
    """Serve the review desk of the run in OUT_DIR at http://127.0.0.1:PORT/.

    \b
    Read each article beside its English, correct it or approve it as it is; every change
    is saved at once in the cache the run used (run.json names it), so closing the tab or
    stopping the desk loses nothing, and the next `workbench translate` or `export` shows
    it as "approved". Select words in a source sentence to add them to the glossary: the
    desk lists the segments the change re-translates, then translates them again with the
    run's models, shown before and after (undo puts both back).

    \b
    Keys (press ? in the desk for all): j/k next/previous segment, e edit,
    Ctrl+Enter save and approve, a approve as is, u undo approval, f next flagged,
    n next not yet reviewed, / search the run.

    Stop it with Ctrl-C. For pages to share without a server, use
    `workbench export OUT_DIR --format html`.
    """
    click.echo(f"Reading the run in {out_dir}...", err=True)
    desk, terms = open_desk(out_dir, build_settings(), port, host, read_only)
    if desk.public:
        click.secho(f"Warning: the desk listens on {host}, so other machines can reach it; "
                    "anyone with the page can make changes unless you add --read-only.",
                    fg="yellow", err=True)
    run = desk.session.progress()
    click.echo(f"Review desk for {out_dir} ({len(desk.session.index.articles):,} articles, "
               f"{run.reviewed:,} of {run.total:,} segments reviewed"
               f"{'; read-only' if read_only else ''}). Ctrl-C stops it.", err=True)
    click.echo(desk.url)

    def ready() -> None:
        if not no_open and not open_in_browser(desk.url):
            click.echo("No browser to open here: open the URL above in one.", err=True)

    desk.serve(terms, on_ready=ready)
    click.echo("Review desk stopped; every change is saved.", err=True)
