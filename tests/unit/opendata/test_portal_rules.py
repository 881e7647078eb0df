"""Retry policy, Retry-After, address refusal and portal settings: no network needed."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import pytest

from opendata.addresses import check_portal_url, is_public_address, split_portal_url
from opendata.errors import PortalRefused
from opendata.portal import PortalClient, PortalConfig
from opendata.retry import RetryPolicy, parse_retry_after

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("5", 5.0),
        (" 0 ", 0.0),
        ("-3", 0.0),
        ("1.5", 1.5),
        ("Wed, 01 Jan 2025 12:00:30 GMT", 30.0),
        ("Wed, 01 Jan 2025 11:00:00 GMT", 0.0),  # a date in the past: retry now
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
    ],
)
def test_retry_after_forms(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    assert [policy.backoff(n, lambda: 0.0) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert [policy.backoff(n, lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 8.0, 8.0]


@pytest.mark.parametrize(
    "changes",
    [{"max_attempts": 0}, {"base_delay": -1.0}, {"max_total_seconds": float("inf")}, {"max_delay": float("nan")}],
)
def test_retry_policy_values_are_checked(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::"],
)  # fmt: skip
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000",
        "https://10.0.0.1/",
        "http://[::1]:8080",
        "http://169.254.169.254/latest",
        "http://0.0.0.0",
    ],
)
def test_private_portal_urls_are_refused_before_any_request(url: str) -> None:
    with pytest.raises(PortalRefused, match="non-public address"):
        check_portal_url(url, allow_private=False)
    with pytest.raises(PortalRefused):
        PortalClient(PortalConfig(name="x", url=url, default_language="en"))


def test_allow_private_lets_them_through() -> None:
    check_portal_url("http://10.0.0.1:5000", allow_private=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://", "has no host"),
        ("http://user:secret@8.8.8.8/", "credentials in the URL"),
        ("http://[::1", "not a valid URL"),
    ],
)
def test_odd_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(PortalRefused, match=message):
        check_portal_url(url, allow_private=True)


def test_default_ports() -> None:
    assert split_portal_url("https://data.example.org/ckan") == ("data.example.org", 443)
    assert split_portal_url("http://data.example.org:8080") == ("data.example.org", 8080)


@pytest.mark.parametrize(
    "changes",
    [{"name": " "}, {"url": "data.example.org"}, {"read_timeout": 0.0}, {"connect_timeout": float("inf")}],
)
def test_portal_config_is_checked(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {"name": "p", "url": "https://data.example.org", "default_language": "en"}
    fields.update(changes)
    with pytest.raises(ValueError):
        PortalConfig(**fields)  # type: ignore[arg-type]
