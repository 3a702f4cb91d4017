"""The model families workbench runs, as data: licences, language tokens, default order.

Each family marks languages its own way: NLLB-200 with FLORES-200 codes (``deu_Latn``),
M2M100 with ``__de__``, MADLAD-400 with a ``<2en>`` tag inside the source text, and
multilingual-target OPUS-MT models with a ``>>eng<<`` token before the source. The tables
map our ISO 639-1 codes (what language detection gives) onto them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Family:
    """One model family: its name on the command line, its title and its usual licence."""

    name: str
    title: str
    licence: str


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("opus-mt", "OPUS-MT (Marian)", "CC-BY-4.0"),
    Family("nllb", "NLLB-200", "CC-BY-NC-4.0 (non-commercial use only)"),
    Family("madlad", "MADLAD-400 (T5)", "Apache-2.0"),
    Family("m2m100", "M2M100", "MIT"),
    Family("argos", "Argos Translate", "see the package's README"),
)}
#: Which family serves a pair when several installed models do and none was chosen: by the
#: published quality into English (issue 38: OPUS-MT tc-big level with NLLB-200 3.3B and
#: 2-5 chrF above NLLB-200 600M; OPUS-MT above Argos on COMET for de, ru, sv).
DEFAULT_ORDER = ("opus-mt", "nllb", "madlad", "m2m100", "argos")

#: ISO 639-1 -> FLORES-200 (NLLB-200's language tokens).
NLLB_CODES = {
    "af": "afr_Latn", "am": "amh_Ethi", "ar": "arb_Arab", "az": "azj_Latn", "be": "bel_Cyrl",
    "bg": "bul_Cyrl", "bn": "ben_Beng", "bs": "bos_Latn", "ca": "cat_Latn", "cs": "ces_Latn",
    "cy": "cym_Latn", "da": "dan_Latn", "de": "deu_Latn", "el": "ell_Grek", "en": "eng_Latn",
    "eo": "epo_Latn", "es": "spa_Latn", "et": "est_Latn", "eu": "eus_Latn", "fa": "pes_Arab",
    "fi": "fin_Latn", "fo": "fao_Latn", "fr": "fra_Latn", "ga": "gle_Latn", "gl": "glg_Latn",
    "gu": "guj_Gujr", "he": "heb_Hebr", "hi": "hin_Deva", "hr": "hrv_Latn", "hu": "hun_Latn",
    "hy": "hye_Armn", "id": "ind_Latn", "is": "isl_Latn", "it": "ita_Latn", "ja": "jpn_Jpan",
    "ka": "kat_Geor", "kk": "kaz_Cyrl", "ko": "kor_Hang", "lt": "lit_Latn", "lv": "lvs_Latn",
    "mk": "mkd_Cyrl", "ml": "mal_Mlym", "mr": "mar_Deva", "ms": "zsm_Latn", "mt": "mlt_Latn",
    "nb": "nob_Latn", "nl": "nld_Latn", "nn": "nno_Latn", "no": "nob_Latn", "pl": "pol_Latn",
    "pt": "por_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl", "sk": "slk_Latn", "sl": "slv_Latn",
    "sq": "als_Latn", "sr": "srp_Cyrl", "sv": "swe_Latn", "sw": "swh_Latn", "ta": "tam_Taml",
    "te": "tel_Telu", "th": "tha_Thai", "tl": "tgl_Latn", "tr": "tur_Latn", "uk": "ukr_Cyrl",
    "ur": "urd_Arab", "uz": "uzn_Latn", "vi": "vie_Latn", "zh": "zho_Hans",
}
#: M2M100 knows Norwegian only as ``__no__``.
M2M100_ALIASES = {"nb": "no", "nn": "no"}
#: ISO 639-3 (OPUS-MT's READMEs and ``>>xxx<<`` tokens) -> ISO 639-1.
ISO3_TO_1 = {code[:3]: iso1 for iso1, code in NLLB_CODES.items() if iso1 != "no"} | {
    "ara": "ar", "fas": "fa", "msa": "ms", "lav": "lv", "sqi": "sq", "swa": "sw",
    "uzb": "uz", "aze": "az", "nor": "nb", "zho": "zh", "cmn": "zh", "nob": "nb",
}
#: OPUS-MT language groups (Tatoeba-Challenge names) -> their languages we detect.
OPUS_GROUPS = {
    "gmq": ("da", "nb", "nn", "sv", "is", "fo"),
    "zle": ("ru", "uk", "be"),
    "zlw": ("pl", "cs", "sk"),
    "zls": ("sl", "hr", "sr", "bs", "bg", "mk"),
    "gmw": ("de", "nl", "af"),
    "roa": ("fr", "es", "it", "pt", "ro", "ca", "gl"),
    "fiu": ("fi", "et", "hu"),
    "bat": ("lt", "lv"),
}


def nllb_token(lang: str) -> str | None:
    """NLLB-200's token for an ISO 639-1 code (``de`` -> ``deu_Latn``), or None."""
    return NLLB_CODES.get(lang)


def m2m100_token(lang: str) -> str:
    """M2M100's token for an ISO 639-1 code (``de`` -> ``__de__``, ``nb`` -> ``__no__``)."""
    return f"__{M2M100_ALIASES.get(lang, lang)}__"


def madlad_tag(lang: str) -> str:
    """MADLAD-400's target tag (``en`` -> ``<2en>``), written at the start of the source text."""
    return f"<2{lang}>"


def opus_languages(codes: str) -> list[str]:
    """Our codes for OPUS-MT language names: ISO 639-3, 639-1 or a group (``gmq``)."""
    found: list[str] = []
    for code in codes.replace(",", " ").split():
        code = code.strip().lower().split("_")[0]  # nob_Latn, zho_Hans
        for lang in OPUS_GROUPS.get(code) or (ISO3_TO_1.get(code) or code,):
            if len(lang) == 2 and lang not in found:
                found.append(lang)
    return found


def opus_target_tokens(vocabulary: list[str], tgt: str) -> tuple[bool, str | None]:
    """Whether a Marian vocabulary is multilingual-target, and its token for ``tgt``.

    A model trained for several target languages has ``>>xxx<<`` tokens and needs the one
    for the language it should write before every source (``>>eng<<``, or ``>>en<<`` in
    older models).
    """
    tokens = {t for t in vocabulary if t.startswith(">>") and t.endswith("<<")}
    if not tokens:
        return False, None
    wanted = [f">>{code}<<" for code, iso1 in ISO3_TO_1.items() if iso1 == tgt] + [f">>{tgt}<<"]
    return True, next((t for t in wanted if t in tokens), None)
