"""An ASGI middleware that puts the pages' security headers on every HTTP response that has not set its own."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from navigator.pages_render import SECURITY_HEADERS

__all__ = ["SecurityHeadersMiddleware"]


class SecurityHeadersMiddleware:
    """Adds ``Content-Security-Policy``, ``X-Content-Type-Options`` and ``Referrer-Policy`` where missing.

    A response that sets its own policy keeps it (GraphiQL serves its page with a policy of its own).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
