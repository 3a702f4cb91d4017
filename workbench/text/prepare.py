"""Turn one article file into labelled, language-tagged segments (no translation yet).

read -> normalize -> detect the article language -> label lines -> split sentences -> per
segment language and flags. Pure apart from reading the file, so it is cheap to test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from workbench.records import TRANSLATED_KINDS, ArticleInfo, Kind, Segment
from workbench.text import cues, detect, labels, segment
from workbench.text.duplicates import RepeatedSentences, near_duplicates
from workbench.text.normalize import normalize_text, split_glued
from workbench.text.parts import ArticleParts
from workbench.text.reader import ArticleFile, read_text

#: Site rules, as preparation sees them: given an article's source URL and site, what gives a
#: line its kind by its text (a kind, or None: as labelled), or None when no rule applies.
Relabel = Callable[[str | None, str | None], Callable[[str], Kind | None] | None]


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
                 languages: tuple[str, ...] = detect.DEFAULT_LANGUAGES,
                 parts: ArticleParts | None = None, relabel: Relabel | None = None
                 ) -> PreparedArticle:
    """Prepare already-decoded article text.

    ``parts`` is the structure a page or feed entry gives (``text`` is then ``parts.text()``):
    its kinds (headline, captions), metadata and declared language win over guesses.
    ``relabel`` applies a project's site rules last: a reviewer's fix wins over both.
    """
    normalized = normalize_text(text)
    if parts is not None and parts.lang:
        article_lang = detect.Guess(parts.lang, 1.0)
    else:
        article_lang = detect.detect(_sample(normalized.lines) or " ", languages)
    prefixes = cues.GLUE_PREFIXES.get(article_lang.lang, frozenset())
    lines, glued_lines = [], set()
    for number, line in normalized.lines:
        fixed, glued = split_glued(line, prefixes)
        lines.append((number, fixed))
        if glued:
            glued_lines.add(number)
    labelled = labels.label_lines(tuple(lines), article_lang.lang)
    if parts is not None:
        labelled = _with_given_parts(labelled, parts)
    if relabel is not None:
        labelled = _relabelled(labelled, relabel)
    # A lead that repeats or extends the headline is news style, not a copy: titles are left
    # out of the duplicate checks.
    repeated = near_duplicates([line.text if line.kind in TRANSLATED_KINDS - {Kind.TITLE}
                                else "" for line in labelled.lines])

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
            elif translated and line.kind != Kind.TITLE and \
                    (earlier := sentences_seen.first_copy(piece, len(segments))) is not None:
                flags.append(f"duplicate-of:{earlier}")
            lang = line_lang if not translated or len(pieces) == 1 else \
                detect.segment_language(piece, detect.Guess(line_lang, 1.0), languages).lang
            segments.append(Segment(article=file.article, index=len(segments), kind=line.kind,
                                    text=piece, src_lang=lang, line=line.number,
                                    flags=tuple(flags)))
    info = ArticleInfo(
        article=file.article, path=file.shown_path, lang=article_lang.lang,
        lang_confidence=article_lang.confidence, source_url=labelled.source_url,
        site=labelled.site, byline=labelled.byline, date=labelled.date,
        segments=dict(Counter(s.kind.value for s in segments)),
        removed_chars=normalized.removed_chars + (parts.removed_chars if parts else 0),
    )
    return PreparedArticle(info, tuple(segments))


def _with_given_parts(labelled: labels.LabelledArticle, parts: ArticleParts
                      ) -> labels.LabelledArticle:
    """The kinds and metadata a page or feed gives, over what labelling guessed.

    Headline and captions are what the source marks as such: a paragraph labelling took for
    a title or a caption is body. Boilerplate, source and byline cues still apply.
    """
    guessed = {line.number: line.kind for line in labelled.lines}
    given = {number: Kind.CREDIT if kind == Kind.CAPTION and guessed.get(number) == Kind.CREDIT
             else kind  # a figcaption that is only "Foto: VNA" is a credit, as in text
             for number, kind in parts.kinds().items()}
    lines = tuple(replace(line, kind=given[line.number]) if line.number in given
                  else replace(line, kind=Kind.BODY) if line.kind in (Kind.TITLE, Kind.CAPTION)
                  else line for line in labelled.lines)
    return replace(labelled, lines=lines, source_url=parts.source_url or labelled.source_url,
                   site=parts.site or labelled.site, byline=parts.byline or labelled.byline,
                   date=parts.date or labelled.date)



def _relabelled(labelled: labels.LabelledArticle, relabel: Relabel) -> labels.LabelledArticle:
    """The lines as the site's rules label them: only kinds change, every line stays.

    The metadata (source URL, site, date) stays as labelling found it, so a rule cannot
    change which site's rules apply.
    """
    kind_of = relabel(labelled.source_url, labelled.site)
    if kind_of is None:
        return labelled
    lines = tuple(replace(line, kind=kind) if (kind := kind_of(line.text)) is not None
                  and kind != line.kind else line for line in labelled.lines)
    return replace(labelled, lines=lines)
