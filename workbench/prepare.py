"""Turn one article file into labelled, language-tagged segments (no translation yet).

read -> normalize -> label lines -> detect language -> segment. Pure apart from reading the
file, so it is cheap to test and to run twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from workbench import detect, labels, segment
from workbench.normalize import normalize_text
from workbench.reader import ArticleFile, read_text
from workbench.records import TRANSLATED_KINDS, ArticleInfo, Kind, Segment


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article's metadata and its segments, in order."""

    info: ArticleInfo
    segments: tuple[Segment, ...]


def prepare(file: ArticleFile, languages: tuple[str, ...] = detect.DEFAULT_LANGUAGES
            ) -> PreparedArticle:
    """Read and prepare one article.

    Raises:
        InputError: the file cannot be read or decoded.
    """
    text = read_text(file.path)
    return prepare_text(file, text, languages)


def prepare_text(file: ArticleFile, text: str,
                 languages: tuple[str, ...] = detect.DEFAULT_LANGUAGES) -> PreparedArticle:
    """Prepare already-decoded article text."""
    normalized = normalize_text(text)
    lines = labels.label_lines(normalized.lines)
    body_text = "\n".join(line.text for line in lines if line.kind in TRANSLATED_KINDS)
    guess = detect.detect(body_text or "\n".join(line.text for line in lines), languages)
    segments: list[Segment] = []
    for line in lines:
        pieces = (segment.split_sentences(line.text, guess.lang)
                  if line.kind in TRANSLATED_KINDS else [line.text])
        for piece in pieces:
            segments.append(Segment(article=file.article, index=len(segments), kind=line.kind,
                                    text=piece, src_lang=guess.lang, line=line.number))
    source_url = next((line.url for line in lines if line.kind == Kind.SOURCE and line.url),
                      None)
    info = ArticleInfo(
        article=file.article, path=str(file.path), lang=guess.lang,
        lang_confidence=guess.confidence, source_url=source_url,
        site=labels.site_of(source_url),
        segments=dict(Counter(s.kind.value for s in segments)),
        removed_chars=normalized.removed_chars,
    )
    return PreparedArticle(info, tuple(segments))
