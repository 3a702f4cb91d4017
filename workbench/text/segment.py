"""Sentence segmentation: the only place sentence boundaries are decided.

Because every other step works on the segments this module returns, and the engine gets one
segment per input and never re-splits, record *i* of an article is always source sentence *i*
and its translation.

Rules, in order: a boundary is sentence-final punctuation (with any closing quotes) followed
by space and something that can start a sentence (a capital, a digit, an opening quote); it
is cancelled after a known abbreviation, an initial, an ordinal or a date ("19. Dezember"),
and inside a quotation that closes later in the paragraph. Measured against sentencex and
pySBD by ``benchmarks/segmentation.py``.
"""

from __future__ import annotations

import re

_COMMON = {"nr", "dr", "prof", "ca", "st", "tel", "mio", "mrd", "vs", "etc"}
# Abbreviations after which a period does not end a sentence, per language (lower-case,
# without the final period). Each addition was a wrong split on real text: "Chr. Michelsens
# institutt" (Christian, in names), "i str. 98" (størrelse), "na pocz. XIX w." (początek),
# "wystawa pn. \"20-lecie NRD\"" (pod nazwą), "Na str. 1" (strona), "st. asp. Tomasz" and
# "nadkom. Paweł" (police ranks before a name), "3 Std. Anfahrt" (Stunden), "ум. ок. 934"
# (умер около).
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "nb": frozenset(_COMMON | {"bl.a", "f.eks", "dvs", "mv", "osv", "jf", "kl", "pkt", "s",
                               "mill", "mrd", "ifm", "evt", "bl", "t.o.m", "o.l", "adm", "avd",
                               "chr", "str", "vol"}),
    "da": frozenset(_COMMON | {"bl.a", "f.eks", "dvs", "mv", "osv", "jf", "kl", "pkt", "s",
                               "skt", "mio", "evt", "ca", "hr", "fr", "chr", "str"}),
    "sv": frozenset(_COMMON | {"bl.a", "t.ex", "dvs", "m.m", "osv", "jfr", "kl", "s", "milj",
                               "resp", "s.k", "f.d", "ev", "fr.o.m", "t.o.m", "p.g.a"}),
    "de": frozenset(_COMMON | {"z.b", "bzw", "usw", "vgl", "u.a", "d.h", "s", "abs", "art",
                               "med", "kath", "ev", "str", "evtl", "ggf", "inkl", "geb", "gest",
                               "hrsg", "bspw", "sog", "z", "u", "o.ä", "v.a", "jh", "jhd",
                               "std", "tsd", "hl", "mind"}),
    "pl": frozenset(_COMMON | {"r", "ul", "np", "tzw", "m.in", "godz", "ok", "tj", "mln", "mld",
                               "tys", "zł", "im", "pkt", "ust", "art", "św", "pl", "al", "gen",
                               "fot", "ks", "płk", "min", "woj", "pow", "gm", "tzn", "itd", "itp",
                               "pocz", "pn", "str", "asp", "nadkom", "podkom", "kom", "insp",
                               "sierż", "kpr", "por", "kpt", "mjr", "ppłk", "proj", "paraf",
                               "wyd", "oprac", "red", "zob", "ds", "prok", "mec", "dyr", "inż",
                               "mgr", "hab", "doc", "bp", "abp", "ob", "jw", "ww"}),
    "ru": frozenset({"г", "гг", "т.е", "т.д", "т.п", "др", "им", "ул", "стр", "млн", "млрд",
                     "тыс", "руб", "см", "т", "е", "д", "п", "проф", "пгт", "кв", "обл", "р",
                     "пр", "ст", "акад", "тов", "гр", "напр", "вв", "в", "н.э", "рис", "табл",
                     "ген", "зам", "пос", "с", "ок", "ум", "род"}),
    "en": frozenset(_COMMON | {"mr", "mrs", "ms", "no", "e.g", "i.e", "jan", "feb", "mar",
                               "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
                               "u.s", "inc", "ltd", "co", "gen", "sen", "rep", "gov", "lt",
                               "col", "jr", "sr", "corp", "dept", "approx", "fig", "al"}),
}

# "Year" abbreviations that end a Polish sentence between a year and a capital:
# "... w 2023 r. Konferencji przewodniczyli ...". Evidence from the Polish UD dev set: a year
# "r." before a capital ends the sentence 6 times and sits inside one once ("Kiedy w 2000
# r. Ojciec Święty ..."). A sentence that would be only its opening phrase ("W 2000 r.
# Rosja ...") is never cut. Russian "2010-2012 гг. Виктор" does not end a sentence.
YEAR_MARKERS = {"pl": frozenset({"r"})}
#: A year marker ends a sentence only after at least this many words.
MIN_WORDS_BEFORE_YEAR_END = 5
_YEAR_BEFORE_RE = re.compile(r"(?:1[89]|20)\d\d\s+\S+$")

_CLOSERS = "\"'»«”“’)]"
# Opening quotes and brackets, including the LaTeX-style ``...'' of German and Russian news.
_OPENERS = "\"'«»„“‘([`"
# Dialogue and quotation dashes: "… for barnet. - Vi har …", "… ukradła? – Zdychać?".
# After a full stop, a dash and a space open a new sentence in Nordic and Polish news.
_DASHES = ("- ", "– ", "— ")
# A candidate boundary: sentence-final punctuation or a colon (and closing quotes or
# brackets), then space.
_BOUNDARY_RE = re.compile(rf"(?<=[.!?…:])[{re.escape(_CLOSERS)}]*\s+")
#: What may follow a colon that ends a sentence, per language: a quotation or a dialogue
#: dash. Measured on the UD dev sets: Nordic annotators split "Det ble rene ord: «Han var …»"
#: and "sa han: - Vi …"; Polish and Russian ones keep a quotation with the clause that
#: introduces it ("powiedział: - Budżet …", "писал: ``Несколько …''"), and so does German
#: (sentencex's suite: "Er sagte: „Hallo …“" is one sentence; the German treebank gains
#: nothing measurable from a colon rule), so there a colon never ends a sentence. The
#: treebanks also split before a capital ("Presidenten: Ærede medrepresentanter!"), worth
#: +0.02 F1 in nb and sv, but on our news that cut "Foto: Phuong Hoa/VNA" and "uttalte: Under
#: ledelse av …" into fragments that translate worse, so a colon before a capital does not
#: end a sentence anywhere.
COLON_ENDS: dict[str, frozenset[str]] = {
    "nb": frozenset({"quote", "dash"}),
    "da": frozenset({"quote", "dash"}),
    "sv": frozenset({"quote", "dash"}),
}
_WORD_BEFORE_RE = re.compile(r"(\S+)$")
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.)*[^\W\d_]$")
# Quotation pairs: an opener still unclosed at a boundary keeps the sentence going.
_QUOTE_PAIRS = {"de": (("„", "“"), ("»", "«")), "pl": (("„", "”"), ("«", "»")),
                "ru": (("«", "»"), ("„", "“")), "nb": (("«", "»"),), "sv": (("”", "”"),),
                "da": (("»", "«"), ("„", "“"))}


#: How much text around a candidate boundary its checks look at. They need the next few
#: characters and the last word or two; copying the whole rest of a paragraph at every
#: boundary made a 16 MB paragraph take minutes (time grew with its square).
_LOOK_AFTER = 64
_LOOK_BEFORE = 256


def split_sentences(text: str, lang: str) -> list[str]:
    """Split one paragraph into sentences; never returns an empty sentence.

    Joining the result with single spaces gives back ``text`` up to whitespace. Time and
    memory grow linearly with the paragraph.
    """
    abbreviations = ABBREVIATIONS.get(lang, frozenset()) | ABBREVIATIONS["en"]
    year_markers = YEAR_MARKERS.get(lang, frozenset())
    quotes = _Quotes(text, _QUOTE_PAIRS.get(lang, ()))
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        end = match.end()
        after = text[end:end + _LOOK_AFTER]
        if not after or not _starts_sentence(after):
            continue
        if text[match.start() - 1] == ":" and not _colon_ends(after, lang):
            continue
        before = text[max(start, match.start() - _LOOK_BEFORE):match.start()]
        if _ends_with_abbreviation(before, abbreviations) and not _year_then_capital(
                before, year_markers):
            continue
        if quotes.inside(start, end):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


class _Quotes:
    """Whether a boundary falls inside an open quotation, in linear time over a paragraph.

    A boundary is inside one when the sentence so far opens a pair more often than it closes
    it and the closer still comes later in the paragraph. Counts are kept from the sentence's
    start as the boundaries advance, instead of counted again over the sentence each time.
    """

    def __init__(self, text: str, pairs: tuple[tuple[str, str], ...]) -> None:
        self.text = text
        self.pairs = [(o, c, text.rfind(c)) for o, c in pairs if o != c]
        self.start = self.scanned = 0
        self.balance = [0] * len(self.pairs)

    def inside(self, start: int, end: int) -> bool:
        if not self.pairs:
            return False
        if start != self.start:  # a new sentence: count from its start
            self.start = self.scanned = start
            self.balance = [0] * len(self.pairs)
        piece = self.text[self.scanned:end]
        self.scanned = end
        for n, (opener, closer, _) in enumerate(self.pairs):
            self.balance[n] += piece.count(opener) - piece.count(closer)
        return any(balance > 0 and last_closer >= end
                   for balance, (_, _, last_closer) in zip(self.balance, self.pairs,
                                                           strict=True))


#: Segments longer than this are cut at the last space before it (a scraped 2 MB line with
#: no punctuation must not become one engine input); such segments are flagged.
MAX_SEGMENT_CHARS = 1000


def cap_length(sentence: str, limit: int = MAX_SEGMENT_CHARS) -> list[str]:
    """Cut an overlong sentence into pieces of at most ``limit`` characters.

    Cuts fall at spaces when possible; joining the pieces with spaces gives the sentence back.
    """
    pieces = []
    start, end, stripped_end = 0, len(sentence), len(sentence.rstrip())
    while end - start > limit:  # indexes, not copies of the rest: linear in the sentence
        cut = sentence.rfind(" ", start, start + limit + 1) - start
        if cut <= 0:
            cut = limit
        pieces.append(sentence[start:start + cut].strip())
        start, end = start + cut, stripped_end
        while start < end and sentence[start].isspace():
            start += 1
    rest = sentence[start:end] if pieces else sentence  # as it came when nothing was cut
    if rest:
        pieces.append(rest)
    return [p for p in pieces if p]


def _year_then_capital(before: str, markers: frozenset[str]) -> bool:
    """'2023 r.' before an upper-case word ends a Polish sentence."""
    if not markers or not before.strip():
        return False
    last = before.rsplit(None, 1)[-1].rstrip(".").lower()
    return last in markers and bool(_YEAR_BEFORE_RE.search(before.rstrip("."))) and \
        len(before.split()) >= MIN_WORDS_BEFORE_YEAR_END


def _inside_quotation(sentence: str, after: str, pairs: tuple[tuple[str, str], ...]) -> bool:
    for opener, closer in pairs:
        if opener == closer:
            continue
        if sentence.count(opener) > sentence.count(closer) and closer in after:
            return True
    return False


def _starts_sentence(after: str) -> bool:
    if after.startswith(_DASHES):
        after = after[2:]
    stripped = after.lstrip(_OPENERS)
    first = stripped[:1]
    return bool(first) and (first.isdigit() or first.isupper())


def _colon_ends(after: str, lang: str) -> bool:
    """Whether a colon before ``after`` ends the sentence (see :data:`COLON_ENDS`)."""
    allowed = COLON_ENDS.get(lang, frozenset())
    if after.startswith(_DASHES):
        return "dash" in allowed
    return after[:1] in _OPENERS and "quote" in allowed


def _ends_with_abbreviation(before: str, abbreviations: frozenset[str]) -> bool:
    match = _WORD_BEFORE_RE.search(before)
    if not match:
        return False
    word = match.group(1).rstrip(_CLOSERS)
    if not word.endswith("."):
        return False
    stem = word[:-1].lstrip(_OPENERS).lower()
    if stem in abbreviations:
        return True
    # Initials ("J.", "Л.Н.") and ordinals or dates ("13.", "19.") do not end sentences.
    return bool(_INITIALS_RE.match(stem)) or (stem.isdigit() and len(stem) <= 2)
