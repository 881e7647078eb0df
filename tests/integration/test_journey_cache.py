"""The journey planner's kept catalog data (``graph.journeys.PlanningCache``) against the real Neo4j: read once,
reused while the catalog version stands (datasets read every time), read again after a catalog load changes
something, never kept without a version."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import neo4j

from graph.catalog import DEMO_CATALOG
from graph.journeys import PlanningCache, journey_fingerprint, plan_journey
from graph.loader import load_catalog
from graph.planner import Journey, Profile
from graph.session import RoundTrips, count_round_trips
from navigator.database import open_async_driver
from navigator.settings import Settings

TODAY = date(2026, 11, 23)
NEWBORN = Profile(age=0)
HEAD, PARTS, DATASETS = "JOURNEY_EVENTS", "JOURNEY_EVENT_PARTS", "JOURNEY_DATASETS"

NEW_EVENT = """
events:
  - id: naming-a-child
    kind: life
    stages: [birth]
    name: {zh: 为孩子起名, en: Naming a child}
    description: {zh: 测试用的人生事件。, en: A life event for the tests.}
    criteria: []
    triggers: []
"""


def plan(settings: Settings, cache: PlanningCache | None, *profiles: Profile) -> list[tuple[Journey, RoundTrips]]:
    """Plan each profile in turn over one driver, counting each one's round trips."""

    async def run() -> list[tuple[Journey, RoundTrips]]:
        driver = open_async_driver(settings)
        try:
            planned = []
            for profile in profiles:
                with count_round_trips() as trips:
                    journey = await plan_journey(
                        driver, profile, timeout=settings.query_timeout, today=TODAY,
                        database=settings.neo4j_database, cache=cache,
                    )
                planned.append((journey, trips))
            return planned
        finally:
            await driver.close()

    return asyncio.run(run())


def test_catalog_data_is_read_once_and_again_after_a_catalog_change(
    clean_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path
) -> None:
    load_catalog(clean_graph, DEMO_CATALOG)
    cache = PlanningCache()
    (first, cold), (second, warm) = plan(test_settings, cache, NEWBORN, NEWBORN)
    assert cold.queries == [HEAD, PARTS, DATASETS]
    assert warm.queries == [DATASETS]
    assert journey_fingerprint(first) == journey_fingerprint(second)
    (uncached, _), = plan(test_settings, None, NEWBORN)
    assert journey_fingerprint(uncached) == journey_fingerprint(first)
    assert cache.head_reads == 1

    # An unchanged reload writes nothing and keeps the version; a load that adds an event gives a new one.
    assert load_catalog(clean_graph, DEMO_CATALOG).created == 0
    (_, still_warm), = plan(test_settings, cache, NEWBORN)
    assert still_warm.queries == [DATASETS]
    (tmp_path / "events.yaml").write_text(NEW_EVENT, encoding="utf-8")
    assert load_catalog(clean_graph, tmp_path).created == 1

    # What was kept does not know the new event: it is all read again, and the journey has the event.
    chosen = Profile(life_events=("naming-a-child",))
    (named, stale), (again, refill), (_, warm_again) = plan(test_settings, cache, chosen, NEWBORN, NEWBORN)
    assert [e.event.id for e in named.events] == ["naming-a-child"]
    assert stale.queries == [HEAD, PARTS, DATASETS]
    assert refill.queries == [PARTS, DATASETS] and warm_again.queries == [DATASETS]
    assert cache.head_reads == 2
    assert journey_fingerprint(again) == journey_fingerprint(first)


def test_a_version_change_alone_makes_the_planner_read_everything_again(
    clean_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path
) -> None:
    load_catalog(clean_graph, DEMO_CATALOG)
    cache = PlanningCache()
    plan(test_settings, cache, NEWBORN)
    (tmp_path / "events.yaml").write_text(NEW_EVENT, encoding="utf-8")
    load_catalog(clean_graph, tmp_path)
    (_, trips), (_, warm) = plan(test_settings, cache, NEWBORN, NEWBORN)
    assert trips.queries == [DATASETS, HEAD, PARTS, DATASETS]
    assert warm.queries == [DATASETS]
    assert cache.head_reads == 2 and cache.head is not None


def test_dataset_links_are_read_for_every_journey(clean_graph: neo4j.Driver, test_settings: Settings) -> None:
    load_catalog(clean_graph, DEMO_CATALOG)
    cache = PlanningCache()
    (before, _), = plan(test_settings, cache, NEWBORN)
    assert before.datasets == ()
    clean_graph.execute_query("""
        MATCH (e:LifeEvent {id: 'having-a-baby'})
        CREATE (:Dataset {id: 'city:births', title: 'Births', portal: 'city', state: 'active'})
               -[:RELEVANT_TO {status: 'approved', score: 0.9}]->(e)
    """)
    (after, trips), = plan(test_settings, cache, NEWBORN)
    assert trips.queries == [DATASETS]
    assert [(d.id, d.event_id, d.status) for d in after.datasets] == [("city:births", "having-a-baby", "approved")]


def test_a_graph_without_a_catalog_version_keeps_nothing(clean_graph: neo4j.Driver, test_settings: Settings) -> None:
    clean_graph.execute_query("""
        CREATE (st:LifeStage {id: 'stage', order: 1, minAge: 0, maxAge: 99, nameZh: '阶段', nameEn: 'Stage'})
        CREATE (e:LifeEvent {id: 'plain', kind: 'life', nameZh: '事件', nameEn: 'Plain'})
        CREATE (e)-[:PART_OF {order: 0}]->(st)
        CREATE (:Service {id: 'service-a', nameZh: '甲', nameEn: 'A', visits: 1})-[:GROUPED_BY {order: 0}]->(e)
    """)
    cache = PlanningCache()
    chosen = Profile(life_events=("plain",))
    (_, first), (journey, second) = plan(test_settings, cache, chosen, chosen)
    assert first.queries == second.queries == [HEAD, PARTS, DATASETS]
    assert cache.head is None and cache.parts == {} and cache.head_reads == 2
    assert [s.service.id for s in journey.steps] == ["service-a"]
