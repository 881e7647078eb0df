"""A misbehaving portal, over real HTTP: rate limits, server errors, slow and cut-short responses, HTML pages,
dropped connections. Each failure either heals within the retry budget or ends in one clear error of ours.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from opendata.errors import ActionFailed, OpendataError, PortalUnreachable
from opendata.harvest import harvest_portal
from opendata.portal import PortalClient, PortalConfig
from opendata.retry import RetryPolicy
from tests.ckan_server import CkanServer, Fault

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.02, max_delay=0.1, max_total_seconds=20)


def _config(server: CkanServer, **changes: Any) -> PortalConfig:
    return PortalConfig(
        name="faulty",
        url=server.url,
        default_language="en",
        allow_private=True,
        retry=changes.pop("retry", FAST_RETRY),
        **changes,
    )


def _packages(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"id-{n:04d}",
            "name": f"dataset-{n}",
            "title": f"Dataset {n}",
            "metadata_modified": f"2022-01-01T00:{n // 60:02d}:{n % 60:02d}",
        }
        for n in range(count)
    ]


def _gap_after_fault(server: CkanServer, action: str) -> float:
    """Seconds between the first faulty request for ``action`` and the request that followed it."""
    log = server.requests_for(action)
    index = next(i for i, entry in enumerate(log) if entry.fault is not None)
    return log[index + 1].at - log[index].at


def test_429_with_retry_after_seconds_is_honoured() -> None:
    with CkanServer(_packages(5)) as server:
        server.inject(Fault(kind="status", status=429, retry_after="1", action="package_search"))
        result = harvest_portal(_config(server))
        gap = _gap_after_fault(server, "package_search")
    assert result.loaded == 5
    assert 1.0 <= gap < 3.0


def test_429_with_retry_after_as_an_http_date_is_honoured() -> None:
    with CkanServer(_packages(5)) as server:
        when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
        server.inject(Fault(kind="status", status=429, retry_after=when, action="package_search"))
        result = harvest_portal(_config(server))
        gap = _gap_after_fault(server, "package_search")
    assert result.loaded == 5
    assert 0.9 <= gap < 3.5  # the date has one-second resolution


def test_a_retry_after_beyond_the_allowed_wait_gives_up_at_once() -> None:
    with CkanServer(_packages(5)) as server:
        server.inject(Fault(kind="status", status=429, retry_after="3600", action="package_search"))
        started = time.monotonic()
        with pytest.raises(PortalUnreachable, match="asked to retry after 3600s"):
            harvest_portal(_config(server))
    assert time.monotonic() - started < 2


def test_500_then_success() -> None:
    with CkanServer(_packages(5)) as server:
        server.inject(Fault(kind="status", status=500, action="package_search", count=2))
        result = harvest_portal(_config(server))
        searches = server.requests_for("package_search")
    assert result.loaded == 5
    assert [s.fault for s in searches] == ["status", "status", None]


def test_persistent_5xx_ends_in_portal_unreachable_within_the_attempts() -> None:
    with CkanServer(_packages(5)) as server:
        server.inject(Fault(kind="status", status=502, count=100))
        with pytest.raises(PortalUnreachable) as caught:
            harvest_portal(_config(server))
        assert len(server.requests_for("status_show")) == FAST_RETRY.max_attempts
    assert "gave up after 4 attempts" in str(caught.value)
    assert "HTTP 502" in str(caught.value)


def test_backoff_grows_between_attempts() -> None:
    policy = RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=1.0, max_total_seconds=20)
    with CkanServer(_packages(1)) as server:
        server.inject(Fault(kind="status", status=503, action="status_show", count=3))
        harvest_portal(_config(server, retry=policy))
        times = [entry.at for entry in server.requests_for("status_show")]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # Equal jitter: retry n waits between half and all of base * 2**(n-1): 0.05-0.1 s, 0.1-0.2 s, 0.2-0.4 s.
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2
    assert gaps[2] < 0.8


def test_the_total_time_budget_bounds_retries() -> None:
    policy = RetryPolicy(max_attempts=50, base_delay=0.2, max_delay=0.2, max_total_seconds=0.5)
    with CkanServer(_packages(1)) as server:
        server.inject(Fault(kind="status", status=500, count=1000))
        started = time.monotonic()
        with pytest.raises(PortalUnreachable, match="allowed in all"):
            harvest_portal(_config(server, retry=policy))
    assert time.monotonic() - started < 1.5


def test_truncated_json_is_retried_then_reported_clearly() -> None:
    with CkanServer(_packages(5)) as server:
        server.inject(Fault(kind="truncated", action="package_search", count=1))
        assert harvest_portal(_config(server)).loaded == 5
        server.inject(Fault(kind="truncated", action="package_search", count=100))
        with pytest.raises(PortalUnreachable) as caught:
            harvest_portal(_config(server))
    message = str(caught.value)
    assert message.startswith("portal faulty (http://127.0.0.1:")
    assert (
        "package_search: gave up after 4 attempts: JSON cut short or malformed (HTTP 200, application/json" in message
    )
    assert "Traceback" not in message and len(message) < 600


def test_an_html_error_page_is_a_clear_action_failure() -> None:
    with CkanServer(_packages(5)) as server:
        server.inject(Fault(kind="html", status=200, count=100))
        with pytest.raises(ActionFailed) as caught:
            harvest_portal(_config(server))
    error = caught.value
    assert error.action == "package_list"  # package_search failed the same way, so the fallback was tried
    assert error.status == 200
    assert "not a CKAN API response (HTTP 200, text/html" in str(error)
    assert "'502 Bad Gateway'" in str(error)
    assert "<html>" not in str(error)


def test_an_html_502_page_is_retried() -> None:
    with CkanServer(_packages(3)) as server:
        server.inject(Fault(kind="html", status=502, action="package_search", count=2))
        assert harvest_portal(_config(server)).loaded == 3


def test_a_slow_response_times_out_and_is_retried() -> None:
    with CkanServer(_packages(3)) as server:
        server.inject(Fault(kind="slow", action="package_search", delay=1.5, count=1))
        started = time.monotonic()
        result = harvest_portal(_config(server, read_timeout=0.3))
        elapsed = time.monotonic() - started
    assert result.loaded == 3
    assert elapsed < 1.4  # did not wait for the slow answer


def test_a_dropped_connection_is_retried() -> None:
    with CkanServer(_packages(3)) as server:
        server.inject(Fault(kind="drop", action="package_search", count=1))
        assert harvest_portal(_config(server)).loaded == 3


def test_nothing_listening_is_portal_unreachable() -> None:
    with CkanServer() as server:
        url = server.url
    config = PortalConfig(name="gone", url=url, default_language="en", allow_private=True, retry=FAST_RETRY)
    with pytest.raises(PortalUnreachable, match="gave up after 4 attempts"):
        harvest_portal(config)


def test_ckan_error_envelopes_become_action_failed() -> None:
    with CkanServer(_packages(1)) as server, PortalClient(_config(server)) as client:
        with pytest.raises(ActionFailed) as missing:
            client.call("package_show", {"id": "no-such-dataset"})
        with pytest.raises(ActionFailed) as unknown:
            client.call("no_such_action")
    assert (missing.value.status, missing.value.error_type) == (404, "Not Found Error")
    assert "Not Found Error (HTTP 404): Not found" in str(missing.value)
    assert unknown.value.status == 400
    assert str(unknown.value).endswith("CKAN error (HTTP 400): Bad request - Action name not known: no_such_action")
    assert isinstance(unknown.value, OpendataError)


def test_requests_carry_the_user_agent_and_use_get() -> None:
    with CkanServer(_packages(1)) as server:
        harvest_portal(_config(server, user_agent="navigator-test/1"))
        assert {entry.method for entry in server.requests} == {"GET"}
        assert {entry.user_agent for entry in server.requests} == {"navigator-test/1"}
