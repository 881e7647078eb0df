"""Per-request DataLoaders: every graph read a resolver makes goes through one, so a query costs one round trip per
kind of thing it asks for, not one per object (graphql-python/graphene: docs/execution/dataloader.rst).

:class:`Loaders` is built once per HTTP request (by the GraphQL context factory) and thrown away after it: its
caches never outlive a request, so nothing is stale and nothing of one person's request is seen by another.
Loaders that read services, events or bundles in bulk (``services_of_events`` …) also prime the by-id loaders with
what they read, so a later ``service(id)`` for one of them costs nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from graph import reads_catalog, reads_datasets
from graph.model import Agency, Bundle, Channel, Criterion, Evidence, LifeEvent, LifeStage, Service
from graph.reads_catalog import EvidenceUse, Page
from graph.reads_datasets import Dataset, DatasetLink, Resource
from graph.session import GraphReader
from navigator.graphql_errors import graph_errors

__all__ = ["LinkPageKey", "Loaders"]

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
V = TypeVar("V")

Fetch = Callable[[GraphReader, list[str]], Awaitable[Mapping[str, V]]]


class _Batch(DataLoader[K, R], Generic[K, R]):
    """Loads values by key with one batched call of ``fetch`` (keys → values in the same order)."""

    def __init__(self, fetch: Callable[[list[K]], Awaitable[list[R]]]) -> None:
        super().__init__(loop=asyncio.get_running_loop())
        self._fetch = fetch

    async def batch_load_fn(self, keys: Sequence[K]) -> list[R]:
        with graph_errors():
            return await self._fetch(list(keys))


def _in_order(keys: Sequence[K], found: Mapping[K, V], default: Callable[[], V]) -> list[V]:
    return [found[key] if key in found else default() for key in keys]


LinkPageKey = tuple[str, tuple[str, ...], int, int]
"""(life event id, link statuses, offset, limit)."""


class Loaders:
    """The DataLoaders of one request, over one :class:`~graph.session.GraphReader`."""

    def __init__(self, reader: GraphReader) -> None:
        self.reader = reader
        # by id: None for an id not in the graph
        self.stages: _Batch[str, LifeStage | None] = self._by_ids(reads_catalog.stages_by_ids)
        self.events: _Batch[str, LifeEvent | None] = self._by_ids(reads_catalog.events_by_ids)
        self.services: _Batch[str, Service | None] = self._by_ids(reads_catalog.services_by_ids)
        self.evidence: _Batch[str, Evidence | None] = self._by_ids(reads_catalog.evidence_by_ids)
        self.agencies: _Batch[str, Agency | None] = self._by_ids(reads_catalog.agencies_by_ids)
        self.criteria: _Batch[str, Criterion | None] = self._by_ids(reads_catalog.criteria_by_ids)
        self.channels: _Batch[str, Channel | None] = self._by_ids(reads_catalog.channels_by_ids)
        self.bundles: _Batch[str, Bundle | None] = self._by_ids(reads_catalog.bundles_by_ids)
        self.datasets: _Batch[str, Dataset | None] = self._by_ids(reads_datasets.datasets_by_ids)
        # one to many: [] for an id with none
        self.events_of_stages: _Batch[str, list[LifeEvent]] = self._of(reads_catalog.events_of_stages, self.events)
        self.services_of_events: _Batch[str, list[Service]] = self._of(
            reads_catalog.services_of_events, self.services
        )
        self.bundles_of_events: _Batch[str, list[Bundle]] = self._of(reads_catalog.bundles_of_events, self.bundles)
        self.bundles_of_services: _Batch[str, list[Bundle]] = self._of(
            reads_catalog.bundles_of_services, self.bundles
        )
        self.services_of_evidence: _Batch[str, EvidenceUse] = _Batch(self._services_of_evidence)
        self.resources_of_datasets: _Batch[str, list[Resource]] = self._of(reads_datasets.resources_of_datasets)
        self.links_of_datasets: _Batch[tuple[str, tuple[str, ...]], list[DatasetLink]] = _Batch(
            self._links_of_datasets
        )
        self.links_of_events: _Batch[LinkPageKey, Page[DatasetLink]] = _Batch(self._links_of_events)

    def _by_ids(self, fetch: Fetch[V]) -> _Batch[str, V | None]:
        reader = self.reader

        async def load(keys: list[str]) -> list[V | None]:
            found = await fetch(reader, keys)
            return [found.get(key) for key in keys]

        return _Batch(load)

    def _of(self, fetch: Fetch[list[V]], primes: _Batch[str, Any] | None = None) -> _Batch[str, list[V]]:
        reader = self.reader

        async def load(keys: list[str]) -> list[list[V]]:
            found = await fetch(reader, keys)
            if primes is not None:
                _prime(primes, (item for items in found.values() for item in items))
            return _in_order(keys, found, list)

        return _Batch(load)

    async def _services_of_evidence(self, keys: list[str]) -> list[EvidenceUse]:
        found = await reads_catalog.services_of_evidence(self.reader, keys)
        _prime(self.services, (s for use in found.values() for s in (*use.producers, *use.consumers)))
        return _in_order(keys, found, EvidenceUse)

    async def _links_of_datasets(self, keys: list[tuple[str, tuple[str, ...]]]) -> list[list[DatasetLink]]:
        found: dict[tuple[str, tuple[str, ...]], list[DatasetLink]] = {}
        for statuses in sorted({s for _, s in keys}):
            ids = [d for d, s in keys if s == statuses]
            links = await reads_datasets.links_of_datasets(self.reader, ids, statuses=statuses)
            found |= {(d, statuses): items for d, items in links.items()}
        return _in_order(keys, found, list)

    async def _links_of_events(self, keys: list[LinkPageKey]) -> list[Page[DatasetLink]]:
        """One read per distinct (statuses, offset, limit): usually one for all the life events of a query."""
        found: dict[LinkPageKey, Page[DatasetLink]] = {}
        for statuses, offset, limit in sorted({(s, o, n) for _, s, o, n in keys}):
            ids = [e for e, s, o, n in keys if (s, o, n) == (statuses, offset, limit)]
            pages = await reads_datasets.links_of_events(
                self.reader, ids, statuses=statuses, offset=offset, limit=limit
            )
            found |= {(e, statuses, offset, limit): page for e, page in pages.items()}
        return [found.get(key) or Page(items=(), total=0, offset=key[2]) for key in keys]

    def prime_journey_objects(
        self, *, services: Iterable[Service], evidence: Iterable[Evidence], agencies: Iterable[Agency],
        bundles: Iterable[Bundle], events: Iterable[LifeEvent],
    ) -> None:
        """Seed the caches with what a journey already read, so resolving its parts costs no more round trips."""
        _prime(self.services, services)
        _prime(self.evidence, evidence)
        _prime(self.agencies, agencies)
        _prime(self.bundles, bundles)
        _prime(self.events, events)


def _prime(loader: _Batch[str, Any], items: Iterable[Any]) -> None:
    """Cache each item under its id (an id already cached keeps its value)."""
    for item in items:
        loader.prime(item.id, item)
