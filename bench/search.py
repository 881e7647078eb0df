"""Benchmark: the search index (whoosh, navigator.search) beside a Neo4j full-text index (Lucene, cjk analyzer), at
10k and 100k documents, in the same run.

Documents are real records scaled up under new ids: the 2,262 Guangdong service items and the 1,839 Taiwan depositar
datasets of ../shared/data (``tests/search_corpus.py``), repeated as ``<id>~<n>`` until there are enough. For each
size:

* build: our rebuild (analysis, jieba, OpenCC, writing one generation) in documents per second, wall and CPU; Neo4j's
  node writes (``UNWIND`` batches of 2,000) plus the population of a ``FULLTEXT`` index with the ``cjk`` analyzer.
  Ours twice over: the 4,101 real records once each ("distinct documents": every text is new, as in a real catalog),
  and the scaled corpus ("scaled"), whose copies 2..N find their segmentations in the analysis caches
  (``navigator.search.analysis`` caches per distinct string) and cost only whoosh's writing. Every build starts with
  those caches empty; jieba's dictionary load (once per process, in ``open_index``) is timed apart. The distinct
  documents are built serially (what a rebuild does) and with the forked analysis worker it can be asked for
  (``navigator.search.building``); CPU time counts the worker's too;
* queries: the same 46 + 14 queries (Simplified and Traditional Chinese, English; narrow and broad), each run
  ``--repeat`` times after one unmeasured pass (a running server's caches are warm; ours keeps no answers here):
  ours without facets (``SearchIndex.search(facets=False)``, what GraphQL runs when facets are not selected) and with
  them (counts of six facets over every match); Neo4j's ``db.index.fulltext.queryNodes`` for the top 10 with keys and
  scores. p50 and p99 in milliseconds of wall time, and for ours also of CPU time: the machine is shared, and CPU time
  is what the search itself costs.

Neo4j's analyzer folds neither Traditional to Simplified nor English plurals, and scores with Lucene's BM25 over
character bigrams: the result lists differ, the latency comparison is the point. The load average is printed so the
wall times can be read in context.

Run: .venv/bin/python -m bench.search [--sizes 10000 100000] [--repeat 3] [--no-neo4j]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo4j
import yaml

from bench.common import SHARED_DATA, bench_neo4j, median, percentile, print_table, require_shared
from graph.admin import wipe_graph
from navigator.search import SearchDocument, SearchIndex, open_index
from navigator.search.analysis import clear_caches, configure_segmenter
from navigator.settings import PROJECT_ROOT
from tests.search_corpus import depositar_documents, scaled, service_item_documents

JUDGED = PROJECT_ROOT / "tests" / "relevance" / "judged_queries.yaml"
BROAD = [
    "申请", "证明", "登记", "办理", "台灣", "統計", "数据", "资料", "教育", "交通", "医疗", "许可", "data", "map",
]
BATCH = 2000
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')


def queries() -> list[str]:
    judged = yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["queries"]
    return [item["query"] for item in judged] + BROAD


def base_corpus() -> list[SearchDocument]:
    """The real records, once each (4,101 documents)."""
    data = require_shared(SHARED_DATA)
    return [*service_item_documents(data), *depositar_documents(data)]


def corpus(size: int) -> list[SearchDocument]:
    base = base_corpus()
    copies = -(-size // len(base))
    return list(scaled(base, copies))[:size]


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]

    def row(self) -> list[str]:
        cpu = f"{median(self.cpu):.1f} / {percentile(self.cpu, 99):.1f}" if self.cpu else "–"
        return [f"{median(self.wall):.1f} / {percentile(self.wall, 99):.1f}", cpu]


def timed(run: Callable[[str], Any], texts: Sequence[str], repeat: int, *, cpu_too: bool = True) -> Timing:
    """Each text ``repeat`` times, after one unmeasured pass (caches of a running server are warm)."""
    for text in texts:
        run(text)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.thread_time()
            run(text)
            if cpu_too:
                cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
    return Timing(wall, cpu)


def _cpu_with_children() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def build_whoosh(
    docs: list[SearchDocument], folder: Path, workers: int = 1
) -> tuple[SearchIndex, float, float]:
    """A rebuild from empty analysis caches: (index, wall seconds, CPU seconds of this process and its worker)."""
    shutil.rmtree(folder, ignore_errors=True)
    index = open_index(folder, cache_size=0)
    clear_caches()
    started, started_cpu = time.perf_counter(), _cpu_with_children()
    index.rebuild(docs, workers=workers)
    return index, time.perf_counter() - started, _cpu_with_children() - started_cpu


def whoosh_search(index: SearchIndex, *, facets: bool) -> Callable[[str], Any]:
    def run(text: str) -> Any:
        return index.search(text, facets=facets)

    return run


def _rows(docs: Iterable[SearchDocument]) -> Iterable[dict[str, str]]:
    for doc in docs:
        yield {
            "key": doc.key, "title": " ".join(doc.titles.values()),
            "keywords": " ".join(word for words in doc.keywords.values() for word in words),
            "description": " ".join(doc.descriptions.values()),
        }  # fmt: skip


def build_neo4j(driver: neo4j.Driver, docs: list[SearchDocument]) -> tuple[float, float]:
    """Write the documents as nodes and build the full-text index; (seconds writing, seconds populating)."""
    wipe_graph(driver)
    driver.execute_query("DROP INDEX search_docs IF EXISTS")
    started = time.perf_counter()
    rows = list(_rows(docs))
    for start in range(0, len(rows), BATCH):
        driver.execute_query(
            "UNWIND $rows AS row CREATE (d:SearchDoc) SET d = row", rows=rows[start : start + BATCH]
        )
    written = time.perf_counter()
    driver.execute_query(
        "CREATE FULLTEXT INDEX search_docs IF NOT EXISTS FOR (d:SearchDoc) "
        "ON EACH [d.title, d.keywords, d.description] OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"
    )
    driver.execute_query("CALL db.awaitIndexes(1800)")
    return written - started, time.perf_counter() - written


def neo4j_search(driver: neo4j.Driver) -> Callable[[str], Any]:
    def run(text: str) -> Any:
        escaped = _LUCENE_SPECIAL.sub(r"\\\1", text)
        records, _, _ = driver.execute_query(
            "CALL db.index.fulltext.queryNodes('search_docs', $q, {limit: 10}) YIELD node, score "
            "RETURN node.key AS key, score", q=escaped, routing_=neo4j.RoutingControl.READ,
        )  # fmt: skip
        return records

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-neo4j", action="store_true", help="only our index")
    args = parser.parse_args()
    texts = queries()
    work = PROJECT_ROOT / "var" / "bench-search"
    build_rows: list[list[object]] = []
    query_rows: list[list[object]] = []
    with contextlib.ExitStack() as stack:
        driver = None
        if not args.no_neo4j:
            _, driver = stack.enter_context(bench_neo4j(heap="1g", pagecache="1g", folder="bench-search-neo4j"))
        started, started_cpu = time.perf_counter(), time.process_time()
        configure_segmenter(work / "jieba")  # jieba's dictionary, from its pickled cache after the first run
        load_wall, load_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        distinct = base_corpus()
        for workers, how in ((1, "serial"), (2, "2 processes")):
            index, wall, cpu = build_whoosh(distinct, work / "index-distinct", workers)
            index.close()
            build_rows.append([f"whoosh (ours), distinct documents, {how}", len(distinct), f"{wall:.1f}",
                               f"{len(distinct) / wall:,.0f}", f"{len(distinct) / cpu:,.0f}"])  # fmt: skip
        for size in args.sizes:
            docs = corpus(size)
            index, wall, cpu = build_whoosh(docs, work / f"index-{size}")
            build_rows.append(["whoosh (ours), scaled (repeats hit the analysis caches), serial", size,
                               f"{wall:.1f}", f"{size / wall:,.0f}", f"{size / cpu:,.0f}"])  # fmt: skip
            plain = timed(whoosh_search(index, facets=False), texts, args.repeat)
            facets = timed(whoosh_search(index, facets=True), texts, args.repeat)
            query_rows.append(["whoosh (ours), no facets", size, *plain.row()])
            query_rows.append(["whoosh (ours), 6 facets", size, *facets.row()])
            index.close()
            if driver is not None:
                writing, populating = build_neo4j(driver, docs)
                total = writing + populating
                build_rows.append([f"Neo4j full-text cjk (write {writing:.0f} s + index {populating:.0f} s)", size,
                                   f"{total:.1f}", f"{size / total:,.0f}", "–"])  # fmt: skip
                search = neo4j_search(driver)
                neo4j_timing = timed(search, texts, args.repeat, cpu_too=False)  # its CPU is the server's
                query_rows.append(["Neo4j full-text cjk, top 10", size, *neo4j_timing.row()])
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{len(texts)} queries x {args.repeat}; {os.cpu_count()} CPUs, load average now {load}")
    print(f"jieba's dictionary load, once per process (in no build): {load_wall:.2f} s wall, {load_cpu:.2f} s CPU")
    build_header = ["engine", "documents", "seconds", "docs/s (wall)", "docs/s (CPU, worker's too)"]
    print_table("Index build", build_header, build_rows)
    print_table("Query latency, ms (p50 / p99)", ["engine", "documents", "wall", "CPU"], query_rows)


if __name__ == "__main__":
    main()
