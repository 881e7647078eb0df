"""A CKAN portal as this package talks to it: ckanapi's ``call_action`` over a guarded HTTP session.

Every request has a finite timeout, goes only to an allowed address (redirects included, see
:mod:`opendata.addresses`), and is retried with backoff on 429/5xx, connection failures and cut-short JSON, honouring
``Retry-After``. Foreign exceptions become this package's errors here: :class:`PortalUnreachable` when the portal
cannot be reached or keeps failing, :class:`ActionFailed` when it answers with a CKAN error or something that is not
a CKAN API response.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin

import ckanapi
import requests
from requests.adapters import HTTPAdapter

from opendata.addresses import check_portal_url
from opendata.errors import ActionFailed, PortalRefused, PortalUnreachable
from opendata.retry import RETRY_STATUSES, RetryPolicy, parse_retry_after

logger = logging.getLogger(__name__)

USER_AGENT = "road-of-life-navigator-opendata/0.1 (+https://github.com/ckan/ckanapi)"
_MAX_REDIRECTS = 5
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True, kw_only=True)
class PortalConfig:
    """How to reach one portal. ``default_language`` is the language of its untranslated text."""

    name: str
    url: str
    default_language: str
    allow_private: bool = False
    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("portal name must not be empty")
        if not self.url.lower().startswith(("http://", "https://")):
            raise ValueError(f"portal url must be http(s): {self.url!r}")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a finite number of seconds above zero")


@dataclass(frozen=True, slots=True, kw_only=True)
class PortalInfo:
    """What the portal says about itself (``status_show``); fields are None when it would not say."""

    name: str
    url: str
    ckan_version: str | None = None
    site_title: str | None = None
    locale_default: str | None = None


class _RetryableError(Exception):
    """A failure worth another attempt; ``retry_after`` is the portal's own wish, in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _NotCkanResponse(Exception):
    """A complete response that is not CKAN API JSON (an HTML error page, a portal front page)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def _describe_body(response: Any) -> str:
    content_type = str(response.headers.get("Content-Type") or "no content type").split(";", 1)[0]
    text = response.text or ""
    title = _TITLE.search(text[:4096])
    snippet = _SPACES.sub(" ", title.group(1) if title else text[:120]).strip()
    return f"HTTP {response.status_code}, {content_type}, {len(response.content)} bytes" + (
        f": {snippet!r}" if snippet else ""
    )


class _GuardedSession:
    """The session handed to ckanapi: finite timeouts, an address check on every hop, responses inspected."""

    def __init__(self, config: PortalConfig, *, pool_size: int) -> None:
        self._config = config
        self._session = requests.Session()
        self._session.headers["User-Agent"] = config.user_agent
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool_size, 1), max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._checked: set[str] = set()
        self._lock = threading.Lock()
        self.last = threading.local()

    def _check(self, url: str) -> None:
        origin = url.split("/", 3)[:3]
        key = "/".join(origin)
        with self._lock:
            if key in self._checked:
                return
        check_portal_url(url, allow_private=self._config.allow_private)
        with self._lock:
            self._checked.add(key)

    def get(self, url: str, params: Any = None, headers: Any = None, timeout: Any = None, **_: Any) -> Any:
        return self._send("GET", url, params=params, headers=headers, timeout=timeout)

    def post(self, url: str, data: Any = None, headers: Any = None, timeout: Any = None, **_: Any) -> Any:
        return self._send("POST", url, data=data, headers=headers, timeout=timeout)

    def _send(self, method: str, url: str, *, timeout: Any, **kwargs: Any) -> Any:
        timeout = timeout if timeout is not None else (self._config.connect_timeout, self._config.read_timeout)
        self.last.status = None
        self.last.ckan_message = None
        for _hop in range(_MAX_REDIRECTS + 1):
            self._check(url)
            response = self._session.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
            if response.is_redirect and method == "GET":
                url = urljoin(response.url, response.headers["Location"])
                kwargs["params"] = None  # already part of the new URL
                response.close()
                continue
            self.last.status = response.status_code
            return self._inspect(response)
        raise PortalUnreachable(f"more than {_MAX_REDIRECTS} redirects from {url}")

    def _inspect(self, response: Any) -> Any:
        if response.encoding is None:
            response.encoding = "utf-8"  # JSON is UTF-8 (RFC 8259); spares requests a guess over a large body
        if response.status_code in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _RetryableError(_describe_body(response), retry_after=retry_after)
        try:
            parsed = json.loads(response.text)
        except ValueError:
            if response.text.lstrip()[:1] in ("{", "["):
                raise _RetryableError(f"JSON cut short or malformed ({_describe_body(response)})") from None
            raise _NotCkanResponse(
                f"not a CKAN API response ({_describe_body(response)})", status=response.status_code
            ) from None
        failed = isinstance(parsed, dict) and parsed.get("success") is False
        error = parsed.get("error") if failed else None
        self.last.ckan_message = error.get("message") if isinstance(error, dict) else None
        return response

    def close(self) -> None:
        self._session.close()


class PortalClient:
    """Calls CKAN actions on one portal, with the guards and retries described in the module docstring.

    ``sleep``, ``clock`` and ``rand`` are injectable so tests can observe backoff without waiting for it.
    """

    def __init__(
        self,
        config: PortalConfig,
        *,
        pool_size: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        check_portal_url(config.url, allow_private=config.allow_private)
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self._session = _GuardedSession(config, pool_size=pool_size)
        self._ckan = ckanapi.RemoteCKAN(config.url, user_agent=config.user_agent, get_only=True, session=self._session)

    def call(self, action: str, data_dict: Mapping[str, Any] | None = None) -> Any:
        """``call_action`` with retries; returns the action's ``result``."""
        policy = self.config.retry
        started = self._clock()
        for attempt in range(1, policy.max_attempts + 1):
            try:
                return self._ckan.call_action(action, dict(data_dict or {}))
            except _RetryableError as e:
                problem: Exception = e
                wish = e.retry_after
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as e:
                problem, wish = e, None
            except _NotCkanResponse as e:
                raise ActionFailed(f"{self._where(action)}: {e}", action=action, status=e.status) from e
            except PortalRefused:
                raise
            except (ckanapi.CKANAPIError, ckanapi.ServerIncompatibleError) as e:
                raise self._action_failed(action, e) from e
            except requests.RequestException as e:
                raise PortalUnreachable(f"{self._where(action)}: {type(e).__name__}: {e}") from e
            if attempt == policy.max_attempts:
                raise PortalUnreachable(
                    f"{self._where(action)}: gave up after {attempt} attempts: {_short(problem)}"
                ) from problem
            delay = wish if wish is not None else policy.backoff(attempt, self._rand)
            if wish is not None and wish > policy.max_retry_after:
                raise PortalUnreachable(
                    f"{self._where(action)}: asked to retry after {wish:.0f}s, more than the"
                    f" {policy.max_retry_after:.0f}s allowed: {_short(problem)}"
                ) from problem
            if self._clock() - started + delay > policy.max_total_seconds:
                raise PortalUnreachable(
                    f"{self._where(action)}: gave up after {attempt} attempts ({policy.max_total_seconds:.0f}s allowed"
                    f" in all): {_short(problem)}"
                ) from problem
            logger.warning(
                "%s: attempt %d failed (%s); retrying in %.2fs", self._where(action), attempt, _short(problem), delay
            )
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _where(self, action: str) -> str:
        return f"portal {self.config.name} ({self.config.url}) {action}"

    def _action_failed(self, action: str, error: Exception) -> ActionFailed:
        status = getattr(self._session.last, "status", None)
        error_type = {
            "NotFound": "Not Found Error", "ValidationError": "Validation Error",
            "NotAuthorized": "Authorization Error", "SearchQueryError": "Search Query Error",
            "SearchError": "Search Error", "SearchIndexError": "Search Index Error",
        }.get(type(error).__name__)  # fmt: skip
        message = getattr(self._session.last, "ckan_message", None)
        detail = str(message) if message else str(error) if error_type else "unrecognised error response"
        status_text = f"HTTP {status}" if status else "no HTTP status"
        return ActionFailed(
            f"{self._where(action)}: {error_type or 'CKAN error'} ({status_text}): {detail[:300]}",
            action=action,
            status=status,
            error_type=error_type,
        )

    def info(self) -> PortalInfo:
        """``status_show``; a portal that refuses it still gets an info with its name and URL."""
        try:
            result = self.call("status_show")
        except ActionFailed as e:
            logger.info("%s: status_show unavailable (%s)", self.config.name, e)
            return PortalInfo(name=self.config.name, url=self.config.url)
        if not isinstance(result, dict):
            return PortalInfo(name=self.config.name, url=self.config.url)
        return PortalInfo(
            name=self.config.name,
            url=self.config.url,
            ckan_version=_text_or_none(result.get("ckan_version")),
            site_title=_text_or_none(result.get("site_title")),
            locale_default=_text_or_none(result.get("locale_default")),
        )

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."
