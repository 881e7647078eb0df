"""Benchmark: the service-item importer (Guangdong, 2,262 items) against a raw batched UNWIND Cypher baseline.

Both write the same services, documents and REQUIRES links into the same Neo4j in the same run. Our importer also
parses and validates every line, reuses documents by normalised name, hashes content to skip unchanged rows, and
links life events and agencies; the baseline only MERGEs the pre-parsed rows. Prints services/s for each.

Run: .venv/bin/python bench/load_catalog.py [--repeat N]
"""

from __future__ import annotations

import argparse
import time

import neo4j

from bench.common import SHARED_DATA, bench_neo4j, median, print_table, require_shared
from graph.admin import wipe_graph
from graph.catalog import DEMO_CATALOG
from graph.loader import load_catalog
from graph.migrations import migrate
from graph.service_items import load_service_items, load_theme_map, read_service_items

BASELINE = """
UNWIND $rows AS row
MERGE (s:Service {id: row.id})
SET s.nameZh = row.name, s.processingDays = row.days, s.visits = row.visits, s.source = 'baseline'
WITH s, row
UNWIND row.requires AS doc
MERGE (e:Evidence {id: doc.id})
SET e.nameZh = doc.name
MERGE (s)-[:REQUIRES]->(e)
"""


def _clear_imported(driver: neo4j.Driver) -> None:
    driver.execute_query("MATCH (s:Service) WHERE s.source IN ['service-items', 'baseline'] DETACH DELETE s")
    driver.execute_query("MATCH (e:Evidence) WHERE e.id STARTS WITH 'ev-' DETACH DELETE e")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = require_shared(SHARED_DATA / "life-events" / "cn-guangdong-service-items" / "service_items.jsonl")
    with bench_neo4j() as (_, driver):
        wipe_graph(driver)
        migrate(driver)
        load_catalog(driver, DEMO_CATALOG)
        themes = load_theme_map()
        with source.open(encoding="utf-8") as handle:
            catalog, _, lines = read_service_items(handle, themes, set())
        rows = [
            {"id": s.id, "name": s.name.zh, "days": s.processing_days, "visits": s.visits,
             "requires": [{"id": d, "name": catalog.evidence[d].name.zh if d in catalog.evidence else d}
                          for d in s.requires]}
            for s in catalog.services.values()
        ]
        ours, ours_again, baseline = [], [], []
        for _ in range(args.repeat):
            _clear_imported(driver)
            started = time.perf_counter()
            report = load_service_items(driver, source)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            load_service_items(driver, source)
            ours_again.append(time.perf_counter() - started)
            _clear_imported(driver)
            started = time.perf_counter()
            for start in range(0, len(rows), 1000):
                driver.execute_query(BASELINE, rows=rows[start:start + 1000])
            baseline.append(time.perf_counter() - started)
        services = report.by_kind["services"]
        t_ours, t_again, t_base = median(ours), median(ours_again), median(baseline)
        print_table(
            f"Service-item import: {lines} lines, {services} services, median of {args.repeat} runs",
            ["writer", "seconds", "services/s", "vs baseline"],
            [
                ["navigator load service-items (first run)", f"{t_ours:.2f}", f"{services / t_ours:,.0f}",
                 f"{t_base / t_ours:.2f}x"],
                ["navigator load service-items (unchanged re-run)", f"{t_again:.2f}",
                 f"{services / t_again:,.0f}", f"{t_base / t_again:.2f}x"],
                ["raw batched UNWIND MERGE baseline", f"{t_base:.2f}", f"{services / t_base:,.0f}", "1.00x"],
            ],
        )


if __name__ == "__main__":
    main()
