"""A local CKAN-compatible action API for tests: real HTTP on 127.0.0.1, a mutable dataset store, fault injection.

Serves ``/api/3/action/<action>`` and ``/api/action/<action>`` over GET and POST (JSON or form bodies):
``package_search`` (q, fq on a ``metadata_modified:[A TO B]`` range, sort, rows ≤ 1000, start, fl, include_private),
``package_show`` (id or name; CKAN's 404 error envelope when missing), ``package_list`` (limit/offset),
``status_show`` and ``organization_list``. Date ranges and sorting compare ``metadata_modified`` at millisecond
precision, as Solr stores it.

Faults (:class:`Fault`) apply to one action or to any, for the next N matching requests: an HTTP status (429 with
``Retry-After``, 500 …), a slow response, JSON cut short, an HTML error page, a dropped connection.
``search_unavailable`` makes ``package_search`` answer like a portal without it (400 JSON or 404 HTML).

    with CkanServer(packages) as server:
        server.inject(Fault(kind="status", status=429, retry_after="1", action="package_search"))
        ...
        server.requests  # what the client asked
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

FaultKind = Literal["status", "slow", "truncated", "html", "drop"]
_ACTION_PATH = re.compile(r"^/api/(?:3/)?action/([A-Za-z_]+)/?$")
_RANGE = re.compile(r"^\s*\+?metadata_modified:\[\s*(\S+)\s+TO\s+(\S+)\s*\]\s*$")
ROWS_MAX = 1000


@dataclass(slots=True, kw_only=True)
class Fault:
    """Misbehaviour for the next ``count`` requests of ``action`` (None: any action)."""

    kind: FaultKind
    action: str | None = None
    count: int = 1
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedRequest:
    method: str
    action: str | None
    params: dict[str, Any]
    at: float
    fault: FaultKind | None = None
    user_agent: str | None = None


@dataclass(slots=True)
class _State:
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[LoggedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@lru_cache(maxsize=65536)
def solr_ms(value: str) -> str:
    """A timestamp as Solr keeps it: UTC, millisecond precision, ``Z`` (cached: every search compares every dataset's
    time, and a real portal's Solr does not parse dates per query either)."""
    if value == "*":
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class CkanError(Exception):
    def __init__(self, status: int, message: str, error_type: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type


class CkanServer:
    """The server; a context manager that starts it on a free port and stops it."""

    def __init__(
        self,
        packages: Iterable[dict[str, Any]] = (),
        *,
        ckan_version: str = "2.10.4",
        site_title: str = "Test CKAN",
        locale_default: str = "en",
    ) -> None:
        self.ckan_version = ckan_version
        self.site_title = site_title
        self.locale_default = locale_default
        self.search_unavailable: Literal[400, 404] | None = None
        self._state = _State()
        for package in packages:
            self.put(package)
        self._httpd: ThreadingHTTPServer | None = None
        self._url: str | None = None
        self._thread: threading.Thread | None = None

    # -- store ---------------------------------------------------------------------------------------------------
    def put(self, package: dict[str, Any]) -> None:
        """Add or replace a package (by id)."""
        with self._state.lock:
            self._state.packages[str(package["id"])] = package

    def delete(self, id_or_name: str) -> None:
        """Purge a package, as ``dataset_purge`` would (it disappears from search, list and show)."""
        with self._state.lock:
            key = self._find(id_or_name)
            if key is not None:
                del self._state.packages[key]

    def touch(self, id_or_name: str, metadata_modified: str, **changes: Any) -> None:
        """Change a package in place and give it a new ``metadata_modified``."""
        with self._state.lock:
            key = self._find(id_or_name)
            if key is None:
                raise KeyError(id_or_name)
            self._state.packages[key] = {**self._state.packages[key], **changes, "metadata_modified": metadata_modified}

    def _find(self, id_or_name: str) -> str | None:
        if id_or_name in self._state.packages:
            return id_or_name
        return next((k for k, p in self._state.packages.items() if p.get("name") == id_or_name), None)

    # -- faults and log ------------------------------------------------------------------------------------------
    def inject(self, fault: Fault) -> None:
        with self._state.lock:
            self._state.faults.append(fault)

    def clear_faults(self) -> None:
        with self._state.lock:
            self._state.faults.clear()

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    def requests_for(self, action: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.action == action]

    def _take_fault(self, action: str | None) -> Fault | None:
        with self._state.lock:
            for fault in self._state.faults:
                if fault.count > 0 and fault.action in (None, action):
                    fault.count -= 1
                    return fault
        return None

    def _log(
        self, method: str, action: str | None, params: dict[str, Any], fault: Fault | None, user_agent: str | None
    ) -> None:
        entry = LoggedRequest(
            method=method,
            action=action,
            params=params,
            at=time.monotonic(),
            fault=fault.kind if fault else None,
            user_agent=user_agent,
        )
        with self._state.lock:
            self._state.requests.append(entry)

    # -- lifecycle -----------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``; still readable after stop (a late handler, or a test of a dead portal)."""
        if self._url is None:
            raise RuntimeError("server not started")
        return self._url

    def start(self) -> CkanServer:
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="ckan-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> CkanServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- actions -------------------------------------------------------------------------------------------------
    def run_action(self, action: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"_action_{action}", None)
        if handler is None:
            raise CkanError(400, f"Bad request - Action name not known: {action}", None)
        return handler(params)

    def _visible(self, include_private: bool = False) -> list[dict[str, Any]]:
        with self._state.lock:
            packages = list(self._state.packages.values())
        return [
            p
            for p in packages
            if p.get("state", "active") == "active" and (include_private or not _truthy(p.get("private")))
        ]

    def _action_status_show(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ckan_version": self.ckan_version, "site_title": self.site_title, "site_url": self.url,
            "site_description": "", "locale_default": self.locale_default, "error_emails_to": None,
            "extensions": ["scheming_datasets", "fluent"],
        }  # fmt: skip

    def _action_package_show(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = _one(params, "id")
        if not wanted:
            raise CkanError(409, "Missing value", "Validation Error")
        for package in self._visible(include_private=False):
            if wanted in (package.get("id"), package.get("name")):
                return package
        raise CkanError(404, "Not found", "Not Found Error")

    def _action_package_list(self, params: dict[str, Any]) -> list[str]:
        names = sorted(str(p.get("name")) for p in self._visible())
        offset = _int(params, "offset", 0)
        limit = _int(params, "limit", len(names))
        return names[offset : offset + limit]

    def _action_organization_list(self, params: dict[str, Any]) -> list[Any]:
        orgs: dict[str, dict[str, Any]] = {}
        for package in self._visible():
            org = package.get("organization")
            if isinstance(org, dict) and isinstance(org.get("name"), str):
                orgs.setdefault(org["name"], org)
        if _truthy(_one(params, "all_fields")):
            return [orgs[name] for name in sorted(orgs)]
        return sorted(orgs)

    def _action_package_search(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.search_unavailable is not None:
            raise CkanError(self.search_unavailable, "Action name not known: package_search", None)
        packages = self._visible(include_private=_truthy(_one(params, "include_private")))
        query = (_one(params, "q") or "*:*").strip()
        if query not in ("*:*", "*", ""):
            needle = query.lower()
            packages = [p for p in packages if needle in json.dumps(p, ensure_ascii=False).lower()]
        fq = _one(params, "fq")
        if fq:
            match = _RANGE.match(fq)
            if not match:
                raise CkanError(409, f"Search error: unsupported fq {fq!r}", "Search Query Error")
            try:
                low, high = solr_ms(match.group(1)), solr_ms(match.group(2))
            except ValueError as e:
                raise CkanError(409, f"Search error: bad date in fq: {e}", "Search Query Error") from e
            packages = [
                p
                for p in packages
                if (low == "*" or solr_ms(p["metadata_modified"]) >= low)
                and (high == "*" or solr_ms(p["metadata_modified"]) <= high)
            ]
        sort = _one(params, "sort") or "score desc, metadata_modified desc"
        for clause in reversed([c.strip() for c in sort.split(",") if c.strip()]):
            parts = clause.split()
            if len(parts) != 2 or parts[1] not in ("asc", "desc"):
                raise CkanError(409, f"Search error: bad sort {clause!r}", "Search Query Error")
            name, direction = parts
            if name == "score":
                continue
            if name not in ("metadata_modified", "id", "name"):
                raise CkanError(409, f"Search error: cannot sort on {name!r}", "Search Query Error")
            packages.sort(key=lambda p, n=name: _sort_key(p, n), reverse=direction == "desc")
        rows = min(_int(params, "rows", 10), ROWS_MAX)
        start = _int(params, "start", 0)
        page = packages[start : start + rows]
        fields = _fields(params.get("fl"))
        if fields:
            page = [{k: p[k] for k in fields if k in p} for p in page]
        return {"count": len(packages), "sort": sort, "facets": {}, "search_facets": {}, "results": page}


def _sort_key(package: dict[str, Any], name: str) -> str:
    value = str(package.get(name) or "")
    return solr_ms(value) if name == "metadata_modified" and value else value


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1", "yes"))


def _one(params: dict[str, Any], key: str) -> Any:
    value = params.get(key)
    return value[0] if isinstance(value, list) and value else value


def _int(params: dict[str, Any], key: str, default: int) -> int:
    value = _one(params, key)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as e:
        raise CkanError(409, f"{key}: Invalid integer", "Validation Error") from e
    if number < 0:
        raise CkanError(409, f"{key}: Must be a natural number", "Validation Error")
    return number


def _fields(value: object) -> list[str]:
    if isinstance(value, str):
        return [f for f in re.split(r"[,\s]+", value) if f]
    if isinstance(value, list):
        return [f for item in value if isinstance(item, str) for f in re.split(r"[,\s]+", item) if f]
    return []


class _Handler(BaseHTTPRequestHandler):
    server_ref: CkanServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is kept on the server object

    def do_GET(self) -> None:
        query = urlsplit(self.path).query
        parsed = parse_qs(query, keep_blank_values=True)
        self._handle("GET", {k: v[0] if len(v) == 1 else v for k, v in parsed.items()})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        params: dict[str, Any] = {}
        if body:
            if (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
                parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
                params = {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}
            else:
                try:
                    loaded = json.loads(body)
                except ValueError:
                    self._send_json(400, {"success": False, "error": {"message": "Bad request: JSON"}})
                    return
                params = loaded if isinstance(loaded, dict) else {}
        self._handle("POST", params)

    def _handle(self, method: str, params: dict[str, Any]) -> None:
        server = self.server_ref
        match = _ACTION_PATH.match(urlsplit(self.path).path)
        action = match.group(1) if match else None
        fault = server._take_fault(action)
        server._log(method, action, params, fault, self.headers.get("User-Agent"))
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        if fault is not None and fault.kind == "status":
            self._send_fault_status(fault, action)
            return
        if fault is not None and fault.kind == "html":
            self._send_html(fault.status, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")
            return
        if action is None:
            self._send_html(404, "<html><head><title>Not Found</title></head><body>Not Found</body></html>")
            return
        help_url = f"{server.url}/api/3/action/help_show?name={action}"
        try:
            result = server.run_action(action, params)
        except CkanError as e:
            if e.status == 404 and e.error_type is None:  # an old portal's web server: no such route
                self._send_html(404, "<html><head><title>404 Not Found</title></head><body>Not Found</body></html>")
                return
            error: dict[str, Any] = {"message": str(e)}
            if e.error_type:
                error["__type"] = e.error_type
            self._send_json(e.status, {"help": help_url, "success": False, "error": error})
            return
        body = json.dumps({"help": help_url, "success": True, "result": result}).encode("utf-8")
        if fault is not None and fault.kind == "truncated":
            body = body[: max(1, len(body) // 2)]
        self._send_bytes(200, body, "application/json;charset=utf-8")

    def _send_fault_status(self, fault: Fault, action: str | None) -> None:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        if fault.status == 429:
            self._send_html(429, "<html><head><title>429 Too Many Requests</title></head></html>", headers)
            return
        payload = {"success": False, "error": {"message": "Internal Server Error", "__type": "Internal Error"}}
        self._send_bytes(fault.status, json.dumps(payload).encode(), "application/json;charset=utf-8", headers)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send_bytes(status, json.dumps(payload).encode("utf-8"), "application/json;charset=utf-8")

    def _send_html(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, text.encode("utf-8"), "text/html; charset=utf-8", headers)

    def _send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test)
