"""A small index of synthetic documents in Chinese (both scripts), English and Portuguese, built once per module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from navigator.search import SearchDocument, SearchIndex, open_index

WHEN = datetime(2024, 5, 1, tzinfo=UTC)

DOCUMENTS = (
    SearchDocument(
        kind="service",
        id="birth-certificate",
        titles={"zh-Hans": "出生医学证明签发", "en": "Birth certificate"},
        descriptions={"en": "Get a birth certificate for a newborn <child> & register the family."},
        keywords={"zh-Hans": ("户口簿", "身份证"), "en": ("birth registration",)},
        organisation="卫生健康委员会",
        life_events=("birth",),
        updated=WHEN,
    ),
    SearchDocument(
        kind="service",
        id="hukou",
        titles={"zh-Hans": "户口登记", "zh-Hant": "戶口登記", "en": "Household registration (hukou)"},
        keywords={"zh-Hans": ("出生证明", "户口簿")},
        organisation="公安局",
        life_events=("birth", "move"),
    ),
    SearchDocument(
        kind="service",
        id="state-pension",
        titles={"en": "Apply for a state pension", "pt": "Pedido de pensão de velhice"},
        descriptions={"en": "Pensions are paid every month to retired people."},
        keywords={"en": ("retirement", "pension credit")},
        organisation="Pension Service",
        life_events=("retire",),
    ),
    SearchDocument(
        kind="service",
        id="identity-card",
        titles={"zh-Hant": "居民身份證申領", "en": "Resident identity card"},
        organisation="公安局",
        life_events=("move",),
    ),
    SearchDocument(
        kind="event", id="birth", titles={"zh-Hans": "孩子出生", "en": "Having a baby"}, life_events=("birth",)
    ),
    SearchDocument(kind="stage", id="childhood", titles={"zh-Hans": "童年", "en": "Childhood"}),
    SearchDocument(
        kind="bundle",
        id="newborn",
        titles={"zh-Hans": "新生儿出生一件事", "en": "Newborn: everything at once"},
        life_events=("birth",),
    ),
    SearchDocument(
        kind="dataset",
        id="taipei-births",
        titles={"zh-Hant": "臺北市出生人口統計", "en": "Taipei births statistics"},
        descriptions={"zh-Hant": "本資料集提供出生證明核發數量與出生人口統計。"},
        organisation="臺北市政府",
        portal="tw-depositar",
        licence="cc-by",
        formats=("CSV", "json"),
    ),
    SearchDocument(
        kind="dataset",
        id="sao-paulo-births",
        titles={"pt": "Nascimentos em São Paulo"},
        descriptions={"pt": "Dados de certidões de nascimento por distrito."},
        organisation="Prefeitura de São Paulo",
        portal="br-dados",
        licence="cc-by-sa",
        formats=("csv", ".XLSX"),
    ),
    SearchDocument(
        kind="dataset",
        id="pension-statistics",
        titles={"en": "Pension statistics"},
        descriptions={"en": "Counts of <b>pensions</b> & allowances, by region."},
        keywords={"en": ("benefits",)},
        organisation="Department for Work and Pensions",
        portal="uk",
        licence="ogl",
        formats=("PDF",),
    ),
)


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """The synthetic documents, indexed; read-only (tests that write make their own)."""
    index = open_index(tmp_path_factory.mktemp("index"))
    index.rebuild(DOCUMENTS)
    with index:
        yield index


@pytest.fixture
def empty_index(tmp_path: Path) -> Iterator[SearchIndex]:
    with open_index(tmp_path / "index", lock_timeout=5.0) as index:
        yield index


@pytest.fixture
def open_more() -> Iterator[Callable[..., SearchIndex]]:
    """Open further SearchIndex objects on a folder (other readers or writers); all closed after the test."""
    opened: list[SearchIndex] = []

    def open_another(path: Path, **kwargs: float) -> SearchIndex:
        index = open_index(path, **kwargs)  # type: ignore[arg-type]
        opened.append(index)
        return index

    yield open_another
    for index in opened:
        index.close()
