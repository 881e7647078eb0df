"""The search package over real records from ../shared/data: 500 Guangdong service items, 500 depositar datasets.

The 500 of each are those mentioning 出生 (birth) first, then the rest in file order, so the birth queries have
something to find in both scripts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from navigator.search import SearchDocument, SearchIndex, open_index
from navigator.search.analysis import _JIEBA_BLOCK as JIEBA_BLOCK
from navigator.search.analysis import _RUNS as RUNS
from navigator.search.analysis import _get_segmenter as get_segmenter
from navigator.search.analysis import cut_default, to_simplified
from tests.search_corpus import depositar_documents, service_item_documents
from tests.shared_data import shared_data_dir

pytestmark = pytest.mark.shared


def _birth_first(docs: Iterator[SearchDocument], count: int) -> list[SearchDocument]:
    def mentions_birth(doc: SearchDocument) -> bool:
        texts = [*doc.titles.values(), *doc.descriptions.values(), *itertools.chain(*doc.keywords.values())]
        return any("出生" in text for text in texts)

    return sorted(docs, key=lambda doc: not mentions_birth(doc))[:count]


@pytest.fixture(scope="module")
def real_documents() -> list[SearchDocument]:
    data = shared_data_dir()
    return [*_birth_first(service_item_documents(data), 500), *_birth_first(depositar_documents(data), 500)]


@pytest.fixture(scope="module")
def real_index(real_documents: list[SearchDocument], tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    with open_index(tmp_path_factory.mktemp("real")) as index:
        report = index.rebuild(real_documents)
        assert report.documents == 1000 and report.skipped_duplicates == 0
        yield index


@pytest.mark.parametrize(
    ("simplified", "traditional"), [("出生证明", "出生證明"), ("生态调查", "生態調查"), ("营业执照", "營業執照")]
)
def test_simplified_and_traditional_give_the_same_top_hit(
    real_index: SearchIndex, simplified: str, traditional: str
) -> None:
    a, b = real_index.search(simplified), real_index.search(traditional)
    assert a.total > 0
    assert a.hits[0].key == b.hits[0].key
    assert [hit.key for hit in a.hits] == [hit.key for hit in b.hits]


def test_both_portals_and_their_facets_are_there(real_index: SearchIndex) -> None:
    everything = real_index.search("", limit=1)
    assert {f.value: f.count for f in everything.facets["kind"]} == {"service": 500, "dataset": 500}
    assert {f.value for f in everything.facets["portal"]} == {"cn-guangdong", "tw-depositar"}
    datasets = real_index.search("", filters={"format": [everything.facets["format"][0].value]})
    assert datasets.total == everything.facets["format"][0].count


def test_the_fast_t2s_path_agrees_with_opencc_on_real_text(real_documents: list[SearchDocument]) -> None:
    texts = (text for doc in real_documents for text in itertools.chain(doc.titles.values(), doc.descriptions.values()))
    runs = sorted({match.group() for text in texts for match in RUNS.finditer(text) if match.lastgroup == "han"})
    converter = get_segmenter().to_simplified
    assert len(runs) > 1000
    assert [run for run in runs if to_simplified.__wrapped__(run) != converter.convert(run)] == []


def test_the_one_pass_segmentation_agrees_with_jieba_on_real_text(real_documents: list[SearchDocument]) -> None:
    texts = (
        text
        for doc in real_documents
        for text in itertools.chain(doc.titles.values(), doc.descriptions.values(), *doc.keywords.values())
    )
    runs = {to_simplified(match.group()) for text in texts for match in RUNS.finditer(text) if match.lastgroup == "han"}
    runs = {run for run in runs if JIEBA_BLOCK.fullmatch(run)}
    segmenter = get_segmenter()
    assert len(runs) > 3000
    differ = [
        run
        for run in sorted(runs)
        if cut_default(run, segmenter.freq, segmenter.log_total) != list(segmenter.jieba.tokenize(run, HMM=False))
    ]
    assert differ == []
