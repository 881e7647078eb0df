"""How the dataset loader writes: new datasets are CREATEd in one statement, and the graph is the one MERGE gives —
for real records, for a resource id several new records list (in one batch and across batches), and when a node the
run took for new exists after all (the batch is rolled back and written again with MERGE)."""

from __future__ import annotations

import dataclasses
from functools import partial

import neo4j
import pytest

from graph import datasets
from graph.admin import wipe_graph
from graph.datasets import HarvestSource, load_snapshot
from graph.migrations import migrate
from opendata.records import DatasetRecord, ResourceRecord
from tests.integration.test_datasets import HARVESTED_AT, graph_state, records_of, shared_items

pytestmark = pytest.mark.shared

PORTAL = "br-dados-gov-br"


def _merged_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every batch written the MERGE way (as before new datasets were CREATEd): the graph to compare with."""
    monkeypatch.setattr(datasets, "_write_batch", partial(datasets._write_batch, merge=True))


def _load(driver: neo4j.Driver, records: list[DatasetRecord], batch_size: int = 1000) -> datasets.HarvestReport:
    source = HarvestSource(portal=PORTAL, harvested_at=HARVESTED_AT)
    return load_snapshot(driver, records, source, batch_size=batch_size)


def _with_resource(record: DatasetRecord, resource: ResourceRecord) -> DatasetRecord:
    return dataclasses.replace(record, resources=(*record.resources, resource))


def _resource_links(driver: neo4j.Driver, resource_id: str) -> tuple[int, list[str], dict[str, object]]:
    records, _, _ = driver.execute_query(
        "MATCH (x:Resource {id: $id}) "
        "RETURN count(x) AS nodes, COLLECT { MATCH (d:Dataset)-[:HAS_RESOURCE]->(x) RETURN d.ckanId } AS datasets, "
        "properties(head(collect(x))) AS props",
        id=resource_id,
    )
    return records[0]["nodes"], sorted(records[0]["datasets"]), dict(records[0]["props"] or {})


def _shared_records() -> tuple[list[DatasetRecord], ResourceRecord, ResourceRecord]:
    """The portal's records; the 1st, 2nd and 5th list one resource id too (with different names), the 2nd twice."""
    records = records_of(shared_items(PORTAL))
    first = ResourceRecord(id="shared-1", name="first name", url="https://example.org/a.csv", format="CSV")
    last = dataclasses.replace(first, name="last name", size=12)
    records[0] = _with_resource(records[0], first)
    records[1] = _with_resource(_with_resource(records[1], first), first)  # twice in one dataset: written once
    records[4] = _with_resource(records[4], last)
    return records, first, last


@pytest.mark.parametrize("batch_size", [1000, 3])
def test_new_datasets_end_as_merge_writes_them(
    clean_graph: neo4j.Driver, monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    records, _, _ = _shared_records()
    with monkeypatch.context() as patch:
        _merged_only(patch)
        merged = _load(clean_graph, records, batch_size)
        expected = graph_state(clean_graph)
    wipe_graph(clean_graph)
    migrate(clean_graph)
    created = _load(clean_graph, records, batch_size)
    assert (created.new, created.rejected, created.status) == (merged.new, 0, "succeeded") == (820, 0, "succeeded")
    assert graph_state(clean_graph) == expected


def test_a_resource_id_several_new_datasets_list_is_one_node_linked_to_each(clean_graph: neo4j.Driver) -> None:
    records, _, _ = _shared_records()
    report = _load(clean_graph, records[:6], batch_size=3)  # 1st and 2nd in one batch, 5th in the next
    assert (report.new, report.rejected) == (6, 0)
    nodes, linked, props = _resource_links(clean_graph, f"{PORTAL}:shared-1")
    assert (nodes, linked) == (1, sorted(r.ckan_id for r in (records[0], records[1], records[4])))
    assert (props["name"], props["size"]) == ("last name", 12)  # the last record's maps win, as with MERGE


def test_a_node_the_run_took_for_new_makes_the_batch_merge(clean_graph: neo4j.Driver) -> None:
    records = records_of(shared_items(PORTAL))[:50]
    expected_report = _load(clean_graph, records)
    expected = graph_state(clean_graph)
    wipe_graph(clean_graph)
    migrate(clean_graph)
    # A resource the 3rd record lists and the 7th dataset exist already, unknown to the run's stored states (the
    # dataset says another portal): CREATE would break the uniqueness constraints.
    resource_id = next(f"{PORTAL}:{r.id}" for r in records[2].resources if r.id)
    clean_graph.execute_query(
        "CREATE (:Resource {id: $resource, name: 'stale'}) CREATE (:Dataset {id: $dataset, portal: 'elsewhere'})",
        resource=resource_id, dataset=f"{PORTAL}:{records[6].ckan_id}",
    )  # fmt: skip
    report = _load(clean_graph, records)
    assert (report.new, report.updated, report.rejected, report.status) == (50, 0, 0, "succeeded")
    assert expected_report.new == 50
    assert graph_state(clean_graph) == expected
