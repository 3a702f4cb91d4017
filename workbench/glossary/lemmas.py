"""Every inflected form of the glossary's words, from simplemma's dictionaries.

Snowball stems and suffix lists miss stem alternations: Polish ``Biuro`` -> ``Biurze``,
``członek`` -> ``członka``. simplemma's dictionaries (form -> lemma) know them, but loading one
costs seconds and hundreds of MB (Polish: 3.7 M forms, 4 s, 400 MB), far more than a run
should pay per language. So the dictionary is never loaded in the run's process: a child
process turns the glossary's words of one language into a small table (each word -> every
form sharing its lemma), and the table is stored in the cache, keyed by the words and
simplemma's version. A glossary edit pays for it once; every other run reads a few KB.

The starter glossary's words come with the package, already looked up
(``workbench/starter/lemmas.json``, written by ``python -m workbench.glossary.lemmas
--write-starter``), so a new project or cache pays nothing until it adds a word.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from workbench.cache.keys import make_key

if TYPE_CHECKING:
    from workbench.glossary.match import Matcher
    from workbench.glossary.store import Glossary

#: Languages simplemma has a dictionary for, among those workbench matches in.
LANGUAGES = frozenset({"pl", "ru", "uk", "de", "sv", "nb", "nn", "da", "cs", "sk", "bg",
                       "fr", "es", "it", "pt", "nl", "fi", "en"})
#: A child process that outlives this is stuck; matching goes on without lemmas.
CHILD_TIMEOUT = 300


class LemmaError(Exception):
    """The forms could not be looked up (simplemma missing, child failed)."""


class BlobStore(Protocol):
    """Where tables are kept between runs: the cache's ``BlobBuffer``."""

    def get(self, table: str, key: str) -> bytes | None:
        """The blob stored under ``key``, if any."""

    def put(self, table: str, key: str, blob: bytes) -> None:
        """Store a blob by key."""

    def flush(self) -> None:
        """Write what is buffered."""


_tables: dict[str, dict[str, tuple[str, ...]]] = {}


def lemmas_version() -> str:
    """The version of simplemma (its dictionaries decide the forms), or ``none``."""
    try:
        return metadata.version("simplemma")
    except metadata.PackageNotFoundError:
        return "none"


def lemma_forms(lang: str, words: Iterable[str], store: BlobStore | None = None,
                child: bool = True) -> dict[str, tuple[str, ...]] | None:
    """``{word (lower-cased): every lower-cased form of its lemma}``, for one language.

    With ``child`` False, None when the forms are not at hand (stored or shipped) and only a
    dictionary lookup could give them.

    Raises:
        LemmaError: simplemma is not installed or its child process failed.
    """
    wanted = _looked_up(words)
    if lang not in LANGUAGES or not wanted:
        return {}
    version = lemmas_version()
    if version == "none":
        raise LemmaError("simplemma is not installed")
    key = make_key("lemmas", version, lang, *wanted)
    if key in _tables:
        return _tables[key]
    stored = store.get("lemmas", key) if store is not None else None
    if stored is not None:
        table = {w: tuple(f) for w, f in json.loads(stored).items()}
    else:
        shipped = starter_forms(version).get(lang, {})
        table = {w: tuple(shipped[w]) for w in wanted if w in shipped}
        if rest := [w for w in wanted if w not in shipped]:
            if not child:
                return None
            table |= _in_child(lang, rest)
        if store is not None:
            store.put("lemmas", key, json.dumps(table, ensure_ascii=False).encode())
            store.flush()  # a dictionary lookup is slow: keep it even if the run dies
    _tables[key] = table
    return table


def _looked_up(words: Iterable[str]) -> list[str]:
    """The words worth a lookup, lower-cased: short ones only ever match exactly."""
    return sorted({w.lower() for w in words if len(w) > 2})


@functools.cache
def starter_forms(version: str) -> dict[str, dict[str, list[str]]]:
    """The starter glossary's words already looked up, if by this simplemma version."""
    shipped = json.loads(_STARTER_TABLE.read_text("utf-8"))
    return shipped["languages"] if shipped["simplemma"] == version else {}


_STARTER_TABLE = resources.files("workbench") / "starter" / "lemmas.json"


def write_starter_table(glossary_folder: Path, path: Path) -> None:
    """Look up every word of the starter glossary, in each language it has forms in."""
    from workbench.glossary.match import Matcher
    from workbench.glossary.store import load_glossary

    glossary = load_glossary([glossary_folder])
    tables = {}
    for lang in sorted(LANGUAGES):
        if words := _looked_up(Matcher(glossary, lang).words):
            tables[lang] = _in_child(lang, words)
    path.write_text(json.dumps({"simplemma": lemmas_version(), "languages": tables},
                               ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8")


def lemma_matcher(glossary: Glossary, lang: str, store: BlobStore | None = None
                  ) -> tuple[Matcher, str | None]:
    """A language's glossary matcher with dictionary forms, and a notice if they are missing."""
    from workbench.glossary.match import Matcher

    matcher = Matcher(glossary, lang)
    try:
        matcher.use_lemmas(lemma_forms(lang, matcher.words, store) or {})
    except LemmaError as err:
        return matcher, (f"Glossary: no dictionary forms for {lang} ({err}); matching by stems "
                         "and endings only")
    return matcher, None


def ready_matcher(glossary: Glossary, lang: str, store: BlobStore | None = None
                  ) -> Matcher | None:
    """The language's matcher if its dictionary forms are at hand, else None (no lookup)."""
    from workbench.glossary.match import Matcher

    matcher = Matcher(glossary, lang)
    try:
        table = lemma_forms(lang, matcher.words, store, child=False)
    except LemmaError:
        return None
    if table is None:
        return None
    matcher.use_lemmas(table)
    return matcher


def _in_child(lang: str, words: list[str]) -> dict[str, tuple[str, ...]]:
    try:
        done = subprocess.run([sys.executable, "-m", "workbench.glossary.lemmas"], check=False,
                              input=json.dumps({"lang": lang, "words": words}),
                              capture_output=True, text=True, encoding="utf-8",
                              timeout=CHILD_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise LemmaError(f"the lookup process failed ({err})") from err
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise LemmaError(f"the lookup process failed ({last})")
    return {w: tuple(f) for w, f in json.loads(done.stdout).items()}


def expand(lang: str, words: list[str]) -> dict[str, list[str]]:
    """Each word's lemma, then every dictionary form with that lemma (the child's work)."""
    import simplemma
    from simplemma.strategies.dictionaries.dictionary_factory import (
        DEFAULT_DICTIONARY_FACTORY,
    )

    lemmas = {w: simplemma.lemmatize(w, lang=lang).lower() for w in words}
    forms: dict[str, set[str]] = {lemma: {lemma} for lemma in lemmas.values()}
    # Millions of forms: compare against every casing of the lemmas instead of lower-casing
    # each entry, and on the raw bytes when simplemma keeps them (ten times faster).
    cased = {variant: lemma for lemma in forms
             for variant in (lemma, lemma.capitalize(), lemma.title(), lemma.upper())}
    dictionary = DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)  # the one lemmatize loaded
    raw = getattr(dictionary, "_dict", None)
    if isinstance(raw, dict):
        encoded = {variant.encode(): lemma for variant, lemma in cased.items()}
        for form, lemma in raw.items():
            if lemma in encoded:
                forms[encoded[lemma]].add(form.decode().lower())
    else:
        for form, lemma in dictionary.items():
            if lemma in cased:
                forms[cased[lemma]].add(form.lower())
    return {w: sorted(forms[lemma] | {w}) for w, lemma in lemmas.items()}


if __name__ == "__main__" and sys.argv[1:] == ["--write-starter"]:
    starter = Path(__file__).resolve().parent.parent / "starter"
    write_starter_table(starter / "glossary", starter / "lemmas.json")
elif __name__ == "__main__":
    request = json.load(sys.stdin)
    json.dump(expand(request["lang"], request["words"]), sys.stdout, ensure_ascii=False)
