"""The journey planner's kept catalog data (``graph.journeys.PlanningCache``) against the real Neo4j: read once,
reused while the catalog version stands (datasets read every time), read again after a catalog load changes
something, never kept without a version; with a max age, warm journeys read nothing for that long."""

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


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


BIRTHS = """
MATCH (e:LifeEvent {id: 'having-a-baby'})
MERGE (d:Dataset {id: 'city:births'}) SET d.title = 'Births', d.portal = 'city', d.state = 'active'
MERGE (d)-[r:RELEVANT_TO]->(e) SET r.status = $status, r.score = 0.9
"""


def test_with_a_max_age_warm_journeys_read_nothing_until_it_has_passed(
    clean_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path
) -> None:
    load_catalog(clean_graph, DEMO_CATALOG)
    clock = FakeClock()
    cache = PlanningCache(max_age=1.0, clock=clock)
    (first, cold), (second, warm) = plan(test_settings, cache, NEWBORN, NEWBORN)
    assert cold.queries == [HEAD, PARTS, DATASETS] and warm.queries == []
    assert journey_fingerprint(first) == journey_fingerprint(second)
    (uncached, _), = plan(test_settings, None, NEWBORN)
    assert journey_fingerprint(uncached) == journey_fingerprint(first)

    # A link made elsewhere (another process) is not seen before the max age has passed ...
    clean_graph.execute_query(BIRTHS, status="approved")
    clock.now += 0.9
    (stale, trips), = plan(test_settings, cache, NEWBORN)
    assert trips.queries == [] and stale.datasets == ()
    # ... then it is: one read of the links and the version, and the next journey reads nothing again.
    clock.now += 0.2
    (fresh, trips), (again, warm) = plan(test_settings, cache, NEWBORN, NEWBORN)
    assert trips.queries == [DATASETS] and warm.queries == []
    assert [(d.id, d.status) for d in fresh.datasets] == [("city:births", "approved")] == [
        (d.id, d.status) for d in again.datasets
    ]

    # A change this process made itself is seen at once once it says so.
    clean_graph.execute_query(BIRTHS, status="rejected")
    cache.forget_datasets()
    (hidden, trips), = plan(test_settings, cache, NEWBORN)
    assert trips.queries == [DATASETS] and hidden.datasets == ()

    # A catalog load elsewhere: after the max age, the version read with the links tells, and everything is re-read.
    (tmp_path / "events.yaml").write_text(NEW_EVENT, encoding="utf-8")
    assert load_catalog(clean_graph, tmp_path).created == 1
    clock.now += 1.1
    (_, trips), (_, warm) = plan(test_settings, cache, NEWBORN, NEWBORN)
    assert trips.queries == [DATASETS, HEAD, PARTS, DATASETS] and warm.queries == []
    assert cache.head_reads == 2


def test_kept_links_of_several_events_give_the_journey_reading_them_gives(
    clean_graph: neo4j.Driver, test_settings: Settings
) -> None:
    load_catalog(clean_graph, DEMO_CATALOG)
    (journey, _), = plan(test_settings, None, NEWBORN)
    events = [e.event.id for e in journey.events]
    assert len(events) >= 2
    links = [  # two datasets on two events, one of them on both, with scores that interleave the events
        ("city:a", events[0], "suggested", 0.5), ("city:b", events[1], "suggested", 0.7),
        ("city:a", events[1], "approved", 0.2), ("city:c", events[0], "suggested", 0.7),
    ]
    for dataset, event, status, score in links:
        clean_graph.execute_query("""
            MATCH (e:LifeEvent {id: $event})
            MERGE (d:Dataset {id: $dataset}) SET d.title = $dataset, d.portal = 'city', d.state = 'active'
            MERGE (d)-[r:RELEVANT_TO]->(e) SET r.status = $status, r.score = $score
        """, dataset=dataset, event=event, status=status, score=score)  # fmt: skip
    clock = FakeClock()
    cache = PlanningCache(max_age=5.0, clock=clock)
    chosen = Profile(life_events=(events[0],))
    (read, _), (merged, trips) = plan(test_settings, cache, chosen, NEWBORN)
    assert [d.id for d in read.datasets] == ["city:c", "city:a"]
    (uncached, _), = plan(test_settings, None, NEWBORN)
    assert trips.queries == [PARTS, DATASETS]  # the newborn's other events were not kept yet
    (kept, trips), = plan(test_settings, cache, NEWBORN)
    assert trips.queries == []
    order = [(d.id, d.event_id, d.status) for d in uncached.datasets]
    assert {d.id for d in uncached.datasets} == {"city:a", "city:b", "city:c"}
    steps = [[(d.id, d.event_id, d.status) for d in step.datasets] for step in uncached.steps]
    assert [("city:a", events[1], "approved"), ("city:b", events[1], "suggested")] in steps  # approved first
    assert [[(d.id, d.event_id, d.status) for d in step.datasets] for step in kept.steps] == steps
    assert [(d.id, d.event_id, d.status) for d in kept.datasets] == order == [
        (d.id, d.event_id, d.status) for d in merged.datasets
    ]
