"""The line labeller's small model: boosted trees over ``line_features``, read from JSON.

``benchmarks/train_labels.py`` fits the trees on the labelled sets and writes
``line_model.json``; this module only evaluates them, in plain Python (a few hundred
comparisons per line). The decision is conservative by construction: the model moves a
translated line to a kept kind only when it gives the kept kinds together at least
``KEEP_THRESHOLD``, because a kept article line is lost text while a leaked menu line only
costs a translation.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from workbench.records import TRANSLATED_KINDS, Kind
from workbench.text.line_features import FEATURE_NAMES

_PROSE = FEATURE_NAMES.index("prose")
_NEXT_PROSE = FEATURE_NAMES.index("next_prose")
_PROSE_BEFORE = FEATURE_NAMES.index("prose_before")
_PROSE_AFTER = FEATURE_NAMES.index("prose_after")
_ENDS_SENTENCE = FEATURE_NAMES.index("ends_sentence")
_CUE = FEATURE_NAMES.index("cue")

#: A line the rules would translate is kept only when the kept kinds reach this probability.
KEEP_THRESHOLD = 0.7
#: ...and only at this probability a line that reads as prose (``line_features.is_prose``),
#: a headline, a heading over prose or a line the rules left translated before the first
#: prose (the rules already keep the chrome there; what they leave may be a headline):
#: a consent text or a menu sent to the model costs less than a lost paragraph or headline.
KEEP_TEXT_THRESHOLD = 0.97
# Prose, or any line ending like a sentence, that the rules would translate is never kept
# by the model, and a line a wording cue labelled ("(Fot. PAP)", "Kilde: VNA") keeps the
# cue's kind: held-out runs lost such lines otherwise, and skipping them keeps labelling
# cheap (most article lines are sentences).
#: A line the rules would keep is translated only when the translated kinds reach this.
TRANSLATE_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Tree:
    """One regression tree in sklearn's array layout (a leaf has ``left == -1``)."""

    klass: int
    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def leaf_value(self, row: list[float]) -> float:
        """The value of the leaf ``row`` falls into."""
        node = 0
        while self.left[node] != -1:
            node = self.left[node] if row[self.feature[node]] <= self.threshold[node] \
                else self.right[node]
        return self.value[node]


@dataclass(frozen=True)
class LineModel:
    """Boosted trees: one score per kind, softmax over the scores."""

    kinds: tuple[Kind, ...]
    init: tuple[float, ...]
    learning_rate: float
    trees: tuple[Tree, ...]

    @classmethod
    def from_dict(cls, data: dict) -> LineModel:
        """Build from the JSON the training script writes.

        Raises:
            ValueError: the file was trained on other features than this version computes.
        """
        if tuple(data["features"]) != FEATURE_NAMES:
            raise ValueError("line model was trained on other features; retrain it with "
                             "benchmarks/train_labels.py")
        trees = tuple(Tree(t["class"], tuple(t["feature"]), tuple(t["threshold"]),
                           tuple(t["left"]), tuple(t["right"]), tuple(t["value"]))
                      for t in data["trees"])
        return cls(tuple(Kind(k) for k in data["classes"]), tuple(data["init"]),
                   float(data["learning_rate"]), trees)

    @classmethod
    def load(cls, path: Path) -> LineModel:
        """Read a model file."""
        return cls.from_dict(json.loads(path.read_text("utf-8")))

    def probabilities(self, row: list[float]) -> dict[Kind, float]:
        """P(kind) for one line's features."""
        scores = list(self.init)
        for tree in self.trees:
            scores[tree.klass] += self.learning_rate * tree.leaf_value(row)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {kind: e / total for kind, e in zip(self.kinds, exps, strict=True)}

    def decide(self, rows: list[list[float]], rule_kinds: list[Kind]) -> list[Kind]:
        """Each line's kind from its features and the rules' label."""
        decided = []
        for row, rule in zip(rows, rule_kinds, strict=True):
            if row[_CUE] or (rule in TRANSLATED_KINDS and (
                    row[_PROSE] or row[_ENDS_SENTENCE] or
                    (row[_PROSE_BEFORE] and row[_PROSE_AFTER]))):
                # Inside the article's prose the layout rules decide (headings, list items).
                decided.append(rule)  # a wording cue or a sentence: the model cannot move it
                continue
            p = self.probabilities(row)
            kept = sum(v for k, v in p.items() if k not in TRANSLATED_KINDS)
            if rule in TRANSLATED_KINDS:
                threshold = KEEP_TEXT_THRESHOLD if row[_NEXT_PROSE] or rule == Kind.TITLE \
                    or not row[_PROSE_BEFORE] else KEEP_THRESHOLD
                keep = kept >= threshold
            else:
                keep = 1.0 - kept < TRANSLATE_THRESHOLD
            if rule in TRANSLATED_KINDS and not keep:
                decided.append(rule)  # title, body, caption: the layout rules place them
                continue
            decided.append(max((k for k in p if (k not in TRANSLATED_KINDS) == keep),
                               key=p.__getitem__))
        return decided


@functools.cache
def shipped() -> LineModel:
    """The model shipped in the package (``workbench/text/line_model.json``)."""
    text = (resources.files("workbench") / "text" / "line_model.json").read_text("utf-8")
    return LineModel.from_dict(json.loads(text))
