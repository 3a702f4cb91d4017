"""Turn one article file into labelled, language-tagged segments (no translation yet).

read -> normalize -> detect the article language -> label lines -> split sentences -> per
segment language and flags. Pure apart from reading the file, so it is cheap to test.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from workbench.display import display_path
from workbench.glossary.match import Match
from workbench.records import TRANSLATED_KINDS, ArticleInfo, Segment
from workbench.text import cues, detect, labels, segment
from workbench.text.duplicates import RepeatedSentences, near_duplicates
from workbench.text.normalize import normalize_text, split_glued
from workbench.text.reader import ArticleFile, read_text


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article's metadata and its segments, in order, and their glossary matches.

    ``matches`` maps a segment index to its matches; None means "not looked for yet" (the
    translation step then looks itself).
    """

    info: ArticleInfo
    segments: tuple[Segment, ...]
    matches: dict[int, tuple[Match, ...]] | None = None


def prepare(file: ArticleFile, languages: tuple[str, ...] = detect.DEFAULT_LANGUAGES
            ) -> PreparedArticle:
    """Read and prepare one article.

    Raises:
        InputError: the file cannot be read or decoded.
    """
    return prepare_text(file, read_text(file.path), languages)


#: The article's language is decided on its first this many characters: on 205 articles (the
#: seeds and synthetic news) 3,000 gave the same language and confidence as the whole text,
#: at a fraction of the cost (language identification was 40% of preparation).
ARTICLE_SAMPLE_CHARS = 5000


def _sample(lines: tuple[tuple[int, str], ...]) -> str:
    taken, size = [], 0
    for _, line in lines:
        taken.append(line)
        size += len(line) + 1
        if size >= ARTICLE_SAMPLE_CHARS:
            break
    return "\n".join(taken)[:ARTICLE_SAMPLE_CHARS]


def prepare_text(file: ArticleFile, text: str,
                 languages: tuple[str, ...] = detect.DEFAULT_LANGUAGES) -> PreparedArticle:
    """Prepare already-decoded article text."""
    normalized = normalize_text(text)
    article_lang = detect.detect(_sample(normalized.lines) or " ", languages)
    prefixes = cues.GLUE_PREFIXES.get(article_lang.lang, frozenset())
    lines, glued_lines = [], set()
    for number, line in normalized.lines:
        fixed, glued = split_glued(line, prefixes)
        lines.append((number, fixed))
        if glued:
            glued_lines.add(number)
    labelled = labels.label_lines(tuple(lines), article_lang.lang)
    repeated = near_duplicates([line.text if line.kind in TRANSLATED_KINDS else ""
                                for line in labelled.lines])

    segments: list[Segment] = []
    first_segment_of_line: dict[int, int] = {}
    sentences_seen = RepeatedSentences()
    for position, line in enumerate(labelled.lines):
        line_lang = line.lang or detect.segment_language(line.text, article_lang, languages).lang
        translated = line.kind in TRANSLATED_KINDS
        sentences = segment.split_sentences(line.text, line_lang) if translated else [line.text]
        pieces = [(part, len(parts) > 1) for sentence in sentences
                  for parts in [segment.cap_length(sentence)] for part in parts]
        first_segment_of_line[position] = len(segments)
        for piece, cut in pieces:
            flags = ["overlong-split"] if cut else []
            if line.number in glued_lines:
                flags.append("glued")
            if position in repeated:
                first, exact = repeated[position]
                prefix = "duplicate-of" if exact else "near-duplicate-of"
                flags.append(f"{prefix}:{first_segment_of_line[first]}")
            elif translated and (earlier := sentences_seen.first_copy(piece, len(segments))) \
                    is not None:
                flags.append(f"duplicate-of:{earlier}")
            lang = line_lang if not translated or len(pieces) == 1 else \
                detect.segment_language(piece, detect.Guess(line_lang, 1.0), languages).lang
            segments.append(Segment(article=file.article, index=len(segments), kind=line.kind,
                                    text=piece, src_lang=lang, line=line.number,
                                    flags=tuple(flags)))
    info = ArticleInfo(
        article=file.article, path=display_path(file.path), lang=article_lang.lang,
        lang_confidence=article_lang.confidence, source_url=labelled.source_url,
        site=labelled.site, byline=labelled.byline, date=labelled.date,
        segments=dict(Counter(s.kind.value for s in segments)),
        removed_chars=normalized.removed_chars,
    )
    return PreparedArticle(info, tuple(segments))

