"""Glossary suggestions on a planted set: precision and recall, beside an ablation baseline.

tests/data/planted holds five short articles (German, Polish, Russian, Swedish, Norwegian)
that we wrote, with five officials planted in them (planted.json), none in glossary/; four
are written in both Latin and Cyrillic letters. The articles are run through `workbench
translate` with no models (suggestions mine the sources), then `glossary suggest` is scored:

- recall: planted officials proposed as exactly one candidate holding every spelling;
- precision: candidates that are a planted official, over all candidates;
- split: planted officials spread over more than one candidate.

The baseline is the same code with the cross-script grouping switched off.

Usage: uv run python benchmarks/suggest.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from unittest import mock

from click.testing import CliRunner

from workbench.cli import cli
from workbench.glossary import suggest as suggest_module

ROOT = Path(__file__).resolve().parent.parent
PLANTED = ROOT / "tests" / "data" / "planted"


def score(candidates: list[dict], officials: list[dict]) -> tuple[float, float, int, int]:
    found = split = 0
    planted_candidates = set()
    for official in officials:
        holding = [i for i, c in enumerate(candidates) if set(official["forms"]) & set(c["forms"])]
        planted_candidates.update(holding)
        if len(holding) == 1 and set(official["forms"]) <= set(candidates[holding[0]]["forms"]):
            found += 1
        elif len(holding) > 1:
            split += 1
    precision = len(planted_candidates) / len(candidates) if candidates else 0.0
    return found / len(officials), precision, split, len(candidates)


def main() -> None:
    officials = json.loads((PLANTED / "planted.json").read_text("utf-8"))["officials"]
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as work:
        out, empty = Path(work) / "out", Path(work) / "no-models"
        empty.mkdir()
        runner.invoke(cli, ["translate", str(PLANTED), "-o", str(out), "--models-dir",
                            str(empty), "--cache", str(Path(work) / "c.db"), "--glossary",
                            str(ROOT / "glossary"), "--silent"])

        def candidates(*options: str) -> list[dict]:
            result = runner.invoke(cli, ["glossary", "suggest", str(out), "--json",
                                         "--glossary", str(ROOT / "glossary"), *options])
            assert result.exit_code == 0, result.output
            return json.loads(result.stdout)

        rows = [("defaults", candidates())]
        with mock.patch.object(suggest_module, "across_scripts", lambda people: people):
            rows.append(("baseline: no cross-script grouping", candidates()))
        rows.append(("--min-occurrences 1", candidates("--min-occurrences", "1")))
    print(f"{len(officials)} planted officials in {len(list(PLANTED.glob('*.txt')))} articles")
    print(f"{'':<36} {'recall':>7} {'precision':>9} {'split':>6} {'candidates':>10}")
    for label, found in rows:
        recall, precision, split, total = score(found, officials)
        print(f"{label:<36} {recall:>7.2f} {precision:>9.2f} {split:>6} {total:>10}")


if __name__ == "__main__":
    main()
