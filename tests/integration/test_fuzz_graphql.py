"""Fuzzing the public GraphQL API: 10,000+ generated requests, valid and broken, through the real app (in process,
over ASGI) against the real Neo4j with the demo catalog. No answer may be a 5xx or an ``INTERNAL`` error, and every
error must have the API's one shape (see ``navigator.graphql_http.format_error``).

The documents come from :mod:`tests.graphql_fuzz`, which walks the schema with graphql-core's type system. Hypothesis
chooses the seeds, derandomised: every run sends the same requests, and a failure names the seed that broke it. Each
seed gives a group of requests sent concurrently (a real server sees them so too, and it keeps the run short).
"""

from __future__ import annotations

import asyncio
import base64
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

import httpx
import neo4j
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from graph.catalog import DEMO_CATALOG, read_catalog
from navigator.app import create_app
from navigator.schema import schema
from navigator.settings import Settings
from tests.graphql_fuzz import FuzzRequest, RequestFuzzer, error_shape_problems

GROUP = 8  # requests drawn from one seed and sent together, so that Neo4j round trips overlap
VALID_REQUESTS = 5_120
BROKEN_REQUESTS = 5_600
_SEEDS = st.integers(0, 2**64 - 1)
_SETTINGS = settings(
    deadline=None, derandomize=True, database=None, phases=[Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow],
)
_NOT_VALID = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"}

pytestmark = pytest.mark.timeout(900)


def _id_pool() -> dict[str, list[str]]:
    """The demo catalog's ids by the argument or field names that take them, plus Relay global ids."""
    catalog = read_catalog(DEMO_CATALOG).catalog
    kinds = {
        "stage": ("LifeStage", sorted(catalog.stages)), "lifeEvent": ("LifeEvent", sorted(catalog.events)),
        "service": ("Service", sorted(catalog.services)), "evidence": ("Evidence", sorted(catalog.evidence)),
        "agency": ("Agency", sorted(catalog.agencies)), "bundle": ("Bundle", sorted(catalog.bundles)),
    }
    pool = {name: ids for name, (_, ids) in kinds.items()}
    pool["lifeStage"] = pool["stage"]
    pool["lifeEvents"] = pool["lifeEvent"]
    pool["documentsHeld"] = pool["evidence"]
    pool["node"] = [
        base64.b64encode(f"{type_name}:{ident}".encode()).decode() for type_name, ids in kinds.values() for ident in ids
    ]
    return pool


@dataclass(slots=True)
class Fuzzing:
    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    fuzzer: RequestFuzzer
    codes: Counter[str]
    statuses: Counter[int]

    async def send(self, request: FuzzRequest) -> httpx.Response:
        headers = {"accept": random.Random(len(request.query)).choice(
            ["application/graphql-response+json", "application/json", "*/*"]
        )}
        if request.method == "GET":
            return await self.client.get("/graphql", params=request.query_params(), headers=headers)
        return await self.client.post("/graphql", json=request.json_body(), headers=headers)

    def check_group(self, requests: list[FuzzRequest], *, valid: bool) -> None:
        async def send_all() -> list[httpx.Response]:
            return list(await asyncio.gather(*(self.send(r) for r in requests)))

        for request, response in zip(requests, self.loop.run_until_complete(send_all()), strict=True):
            self.check(request, response, valid=valid)

    def check(self, request: FuzzRequest, response: httpx.Response, *, valid: bool) -> None:
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, (response.status_code, response.text[:500], request)
        body = response.json()
        problems = error_shape_problems(body)
        assert not problems, (problems, request)
        results = body if isinstance(body, list) else [body]
        codes = {str(e["extensions"]["code"]) for r in results for e in r.get("errors", [])}
        self.codes.update(codes)
        if valid:
            assert not codes & _NOT_VALID, (body, request)


async def _settle_left_over_tasks() -> None:
    """Let resolvers left running after a sibling field failed (graphql-core's way) finish before the driver
    closes."""
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    await asyncio.gather(*others, return_exceptions=True)


@pytest.fixture(scope="module")
def fuzzing(driver: neo4j.Driver, test_settings: Settings) -> Iterator[Fuzzing]:
    pool = _id_pool()
    fuzzer = RequestFuzzer(schema.graphql_schema, ids=lambda field, arg: pool.get(arg) or pool.get(field) or [])
    # Generous timeouts: a read that is merely slow on a busy test machine would answer 503 (GRAPH_UNAVAILABLE /
    # REQUEST_TIMEOUT), which is right for production but says nothing about the requests under test.
    app = create_app(replace(test_settings, query_timeout=60.0, request_timeout=120.0))
    loop = asyncio.new_event_loop()
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fuzz", timeout=60)
    try:
        yield Fuzzing(loop, client, fuzzer, Counter(), Counter())
    finally:
        loop.run_until_complete(_settle_left_over_tasks())
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()


def test_valid_documents_are_answered_without_a_server_error(demo_graph: neo4j.Driver, fuzzing: Fuzzing) -> None:
    sent = 0

    @settings(_SETTINGS, max_examples=VALID_REQUESTS // GROUP)
    @given(seed=_SEEDS)
    def one(seed: int) -> None:
        nonlocal sent
        rnd = random.Random(seed)
        sent += GROUP
        fuzzing.check_group([fuzzing.fuzzer.valid(rnd) for _ in range(GROUP)], valid=True)

    one()
    assert sent >= VALID_REQUESTS
    assert fuzzing.statuses[200] > VALID_REQUESTS // 2, fuzzing.statuses


def test_broken_requests_are_refused_cleanly(demo_graph: neo4j.Driver, fuzzing: Fuzzing) -> None:
    sent = 0

    @settings(_SETTINGS, max_examples=BROKEN_REQUESTS // GROUP)
    @given(seed=_SEEDS)
    def one(seed: int) -> None:
        nonlocal sent
        rnd = random.Random(seed)
        sent += GROUP
        fuzzing.check_group([fuzzing.fuzzer.invalid(rnd) for _ in range(GROUP)], valid=False)

    one()
    assert sent >= BROKEN_REQUESTS
    for code in ("GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST"):
        assert fuzzing.codes[code] > 0, fuzzing.codes
