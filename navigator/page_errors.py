"""The one error page: 404, 405, 500 and 503 (Neo4j away) in the page's language, produced by one handler.

JSON errors belong to the GraphQL endpoint, which answers its own; everything else that fails ends here.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ExceptionHandler

from graph.errors import GraphUnavailable
from navigator.pages_render import SECURITY_HEADERS, render

__all__ = ["RETRY_AFTER_SECONDS", "error_kind", "handle_error", "page_exception_handlers"]

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
_KINDS = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "not_allowed", 503: "unavailable"}


def error_kind(status: int) -> str:
    return _KINDS.get(status, "server")


async def handle_error(request: Request, exc: Exception) -> Response:
    """Render the error page for ``exc``: its status, in the page language, with the security headers."""
    headers: dict[str, str] = {"Cache-Control": "no-store"}
    if isinstance(exc, HTTPException):
        status = exc.status_code
        headers.update(exc.headers or {})
    elif isinstance(exc, GraphUnavailable):
        status = 503
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        log.warning("page %s: %s", request.url.path, exc)
    else:
        status = 500
        log.error("page %s failed", request.url.path, exc_info=exc)
    try:
        return render(request, "error.html", status=status, headers=headers, kind=error_kind(status), code=status)
    except Exception:  # the error page itself failed: answer plainly rather than not at all
        log.exception("the error page failed for %s", request.url.path)
        return PlainTextResponse(f"Error {status}", status_code=status, headers={**SECURITY_HEADERS, **headers})


def page_exception_handlers() -> dict[Any, ExceptionHandler]:
    """For ``Starlette(exception_handlers=…)``: every HTTP error, a Neo4j outage and any other failure."""
    return {HTTPException: handle_error, GraphUnavailable: handle_error, Exception: handle_error}
