"""The pages' message catalogs: the same keys in both languages, Chinese that is Chinese, no text in templates."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest

from navigator.i18n import LANGUAGES, catalog, flatten, language_from_header, translator
from navigator.pages_render import TEMPLATES_DIR

# Words that are the same in Chinese text: product names, units and codes.
ALLOWED_LATIN = {"PDF", "CNY"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
FIELD = re.compile(r"\{(\w*)\}")
ATTRIBUTES = re.compile(r'(\s*[\w-]+="[^"]*")+\s*')  # a macro that writes attributes, not words


def test_both_catalogs_have_the_same_keys() -> None:
    assert set(catalog("zh")) == set(catalog("en"))


@pytest.mark.parametrize("key", sorted(catalog("en")))
def test_placeholders_match_across_languages(key: str) -> None:
    assert sorted(FIELD.findall(catalog("zh")[key])) == sorted(FIELD.findall(catalog("en")[key]))


def test_chinese_messages_are_not_english() -> None:
    leaks = {}
    for key, text in catalog("zh").items():
        if key == "lang.switch":  # the link to the English pages is written in English, marked lang="en"
            continue
        words = set(LATIN_WORD.findall(FIELD.sub("", text))) - ALLOWED_LATIN
        if words:
            leaks[key] = sorted(words)
    assert leaks == {}


def test_english_messages_have_no_chinese() -> None:
    chinese = re.compile(r"[\u4e00-\u9fff]")
    assert [k for k, v in catalog("en").items() if chinese.search(v) and k != "lang.switch"] == []


class _TextCollector(HTMLParser):
    SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.texts += [v for k, v in attrs if k in self.SHOWN_ATTRIBUTES and v]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


TEMPLATES = sorted(p.relative_to(TEMPLATES_DIR).as_posix() for p in TEMPLATES_DIR.rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES)
def test_templates_show_no_text_of_their_own(template: str) -> None:
    """Every word a page shows comes from a catalog (or from data): a template's own text is punctuation at most."""
    source = JINJA.sub(" ", (TEMPLATES_DIR / template).read_text(encoding="utf-8"))
    collector = _TextCollector()
    collector.feed(source)
    own = [t.strip() for t in collector.texts
           if t.strip().strip(string.punctuation + " ·›→←×\n") and not ATTRIBUTES.fullmatch(t)]
    assert own == []


def test_a_missing_key_fails_loudly() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        translator("en")("no.such.key")


def test_placeholders_are_filled() -> None:
    assert translator("en")("format.days", count=3) == "3 working days"
    assert translator("zh")("format.days", count=3) == "3个工作日"


def test_flatten_refuses_non_text() -> None:
    with pytest.raises(TypeError, match=r"a\.b"):
        flatten({"a": {"b": 1}})


@pytest.mark.parametrize(("header", "lang"), [
    (None, "zh"), ("", "zh"), ("en-GB,en;q=0.9", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("fr-FR, en;q=0.5, zh;q=0.4", "en"), ("de", "zh"), ("en;q=0, zh-TW", "zh"), ("en;q=bad", "zh"),
])
def test_language_from_accept_language(header: str | None, lang: str) -> None:
    assert language_from_header(header) == lang


def test_languages() -> None:
    assert LANGUAGES == ("zh", "en")
    assert Path(TEMPLATES_DIR).is_dir()
