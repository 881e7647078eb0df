"""Language keys: CKAN's many spellings of a language, normalised to lower-case BCP-47-ish codes, and a small
script-based detector for plain (untranslated) text.

Codes are ISO 639-1 where one exists (``en``, ``fr``, ``pt``), otherwise the ISO 639-3 code (``nan``); Chinese always
carries its script (``zh-hant``, ``zh-hans``) when it can be told, ``zh`` when it cannot. Region subtags are dropped
(``pt-BR`` → ``pt``) except that they decide the Chinese script (``zh-TW`` → ``zh-hant``). ``und`` is "undetermined".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from opencc import OpenCC

logger = logging.getLogger(__name__)

UNDETERMINED = "und"
ZH_HANT = "zh-hant"
ZH_HANS = "zh-hans"
CJK_LANGUAGES = frozenset({"zh", ZH_HANT, ZH_HANS, "ja", "ko", "yue", "nan", "hak"})

# ISO 639-2 (bibliographic and terminology) and 639-3 codes of languages met on CKAN portals → ISO 639-1.
_THREE_TO_TWO = {
    "ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "cym": "cy", "wel": "cy", "dan": "da",
    "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en", "spa": "es", "est": "et", "eus": "eu",
    "baq": "eu", "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr", "fre": "fr", "gle": "ga", "glg": "gl",
    "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu", "ind": "id", "isl": "is", "ice": "is", "ita": "it",
    "jpn": "ja", "kor": "ko", "lit": "lt", "lav": "lv", "ltz": "lb", "mlt": "mt", "msa": "ms", "may": "ms",
    "nld": "nl", "dut": "nl", "nor": "no", "nob": "nb", "nno": "nn", "pol": "pl", "por": "pt", "ron": "ro",
    "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk", "slv": "sl", "srp": "sr", "swe": "sv", "tha": "th",
    "tur": "tr", "ukr": "uk", "vie": "vi", "zho": "zh", "chi": "zh", "cmn": "zh", "sqi": "sq", "alb": "sq",
    "mkd": "mk", "mac": "mk", "bos": "bs", "afr": "af", "swa": "sw", "tgl": "tl", "fil": "tl",
}  # fmt: skip
_HANT_REGIONS = frozenset({"tw", "hk", "mo"})
_HANS_REGIONS = frozenset({"cn", "sg", "my"})
_SUBTAG = re.compile(r"^[a-z0-9]{1,8}$")
_PRIMARY = re.compile(r"^[a-z]{2,3}$")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u31f0-\u31ff]")  # letters only: not the middle dot ・
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_DETECT_CHARS = 400  # enough text to decide a script; keeps long descriptions cheap


@dataclass(frozen=True, slots=True, kw_only=True)
class LanguageKey:
    """A normalised language key; ``machine`` is true for machine translations (``fr-t-en``: French from English)."""

    code: str
    machine: bool = False


def normalise_language_key(key: object) -> LanguageKey | None:
    """Normalise a language key or code as CKAN portals spell it; None when it is not a language at all.

    Accepts ``en``, ``EN``, ``pt_BR``, ``zh-Hant``, ``zh_TW``, ``fr-t-en`` (transformed content, RFC 6497: machine
    translation), ISO 639-2/3 (``zho``, ``eng``) and vocabulary URIs whose last segment is a code
    (``http://publications.europa.eu/resource/authority/language/ENG``).
    """
    if not isinstance(key, str):
        return None
    text = key.strip().rstrip("/").lower().replace("_", "-")
    if "/" in text:
        text = text.rsplit("/", 1)[-1]
    if not text:
        return None
    machine = False
    if "-t-" in text:
        text, _, _source = text.partition("-t-")
        machine = True
    subtags = text.split("-")
    if not all(_SUBTAG.match(s) for s in subtags) or not _PRIMARY.match(subtags[0]):
        return None
    primary = _THREE_TO_TWO.get(subtags[0], subtags[0])
    if primary == "zh":
        return LanguageKey(code=_chinese_code(subtags[1:]), machine=machine)
    return LanguageKey(code=primary, machine=machine)


def _chinese_code(rest: list[str]) -> str:
    for subtag in rest:
        if subtag == "hant" or subtag in _HANT_REGIONS:
            return ZH_HANT
        if subtag == "hans" or subtag in _HANS_REGIONS:
            return ZH_HANS
    return "zh"


def normalise_language_list(values: Iterable[object]) -> tuple[str, ...]:
    """Normalise declared languages (e.g. a dataset's ``language`` field), dropping unknown ones and duplicates."""
    out: list[str] = []
    for value in values:
        key = normalise_language_key(value)
        if key is not None and key.code not in out:
            out.append(key.code)
    return tuple(out)


def detect_language(text: str, *, declared: tuple[str, ...] = (), default: str) -> str:
    """The language of a plain text, from its script, the dataset's declared languages and the portal default.

    Han text is Chinese (``zh-hant``/``zh-hans``, decided by OpenCC round trips) unless kana or hangul mark it as
    Japanese or Korean. Other text takes the one declared non-CJK language, else the portal default; when the default
    is a CJK language and the text has no CJK character at all, the language is undetermined (``und``) rather than
    a wrong guess.
    """
    sample = text[:_DETECT_CHARS]
    if _KANA.search(sample):
        return "ja"
    if _HANGUL.search(sample):
        return "ko"
    if _HAN.search(sample):
        return _chinese_variant(sample, declared=declared, default=default)
    others = [code for code in declared if code not in CJK_LANGUAGES]
    if len(others) == 1:
        return others[0]
    if default in others or (not others and default not in CJK_LANGUAGES):
        return default
    if others:
        return others[0]
    return UNDETERMINED


def resolve_chinese(code: str, text: str, *, declared: tuple[str, ...] = (), default: str) -> str:
    """Give a script to a bare ``zh`` key from its text; other codes pass through."""
    if code != "zh":
        return code
    return _chinese_variant(text[:_DETECT_CHARS], declared=declared, default=default)


def _chinese_variant(sample: str, *, declared: tuple[str, ...], default: str) -> str:
    preferred = next((c for c in (default, *declared) if c in (ZH_HANT, ZH_HANS)), None)
    verdict = _weigh(*_character_evidence(sample), preferred=preferred)
    if verdict != preferred:  # the quick per-character count disagrees: look again, phrase by phrase
        verdict = _weigh(*_phrase_evidence(sample), preferred=preferred)
    return verdict


def _weigh(traditional: int, simplified: int, *, preferred: str | None) -> str:
    """Characters shared by both scripts make weak evidence (OpenCC maps e.g. 台 to 臺), so the portal's or the
    dataset's own variant wins unless the text says otherwise by a margin."""
    margin = 2 if preferred else 1
    if traditional - simplified >= (margin if preferred == ZH_HANS else 1):
        return ZH_HANT
    if simplified - traditional >= (margin if preferred == ZH_HANT else 1):
        return ZH_HANS
    return preferred or "zh"


def _character_evidence(sample: str) -> tuple[int, int]:
    """(traditional-only, simplified-only) Han characters, each judged by OpenCC on its own (cached)."""
    traditional = simplified = 0
    for char in _HAN.findall(sample):
        is_traditional, is_simplified = _char_script(char)
        traditional += is_traditional
        simplified += is_simplified
    return traditional, simplified


def _phrase_evidence(sample: str) -> tuple[int, int]:
    """(traditional-only, simplified-only) characters by OpenCC's phrase-aware conversion of the whole sample:
    slower, but it knows that 游 in 下游 is also traditional."""
    return (
        _count_changes(sample, _converter("t2s").convert(sample)),
        _count_changes(sample, _converter("s2t").convert(sample)),
    )


def _count_changes(before: str, after: str) -> int:
    if len(before) != len(after):
        return abs(len(before) - len(after)) + sum(a != b for a, b in zip(before, after, strict=False))
    return sum(a != b for a, b in zip(before, after, strict=True))


@lru_cache(maxsize=65536)
def _char_script(char: str) -> tuple[bool, bool]:
    return _converter("t2s").convert(char) != char, _converter("s2t").convert(char) != char


@lru_cache(maxsize=2)
def _converter(config: str) -> OpenCC:
    return OpenCC(config)
