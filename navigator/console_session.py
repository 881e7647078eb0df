"""The data officers' console session: a signed cookie, a CSRF token per session, and the two ways to log in.

The cookie ``console_session`` holds base64 JSON ``{sub, name, scope, csrf, iat}`` and an HMAC-SHA256 of it under the
console secret (``NAVIGATOR_CONSOLE_SECRET``; without it a random secret per process, so sessions end on restart).
It is ``HttpOnly``, ``SameSite=Strict``, ``Path=/`` and lasts :data:`SESSION_SECONDS` at most. A session exists from
the first console page on (anonymous, for the login form's CSRF token); logging in replaces it with a new one.

Logging in takes an API token (``navigator tokens create``; checked against its stored SHA-256 in the graph) or the
console password, checked against the argon2 hash in ``NAVIGATOR_CONSOLE_PASSWORD_HASH``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "COOKIE",
    "PASSWORD_PRINCIPAL",
    "SESSION_SECONDS",
    "ConsoleConfig",
    "ConsoleSession",
    "check_csrf",
    "console_config",
    "read_session",
    "verify_password",
    "write_session",
]

COOKIE = "console_session"
SESSION_SECONDS = 8 * 3600
PASSWORD_PRINCIPAL = "console-password"  # noqa: S105  (a principal name, not a password)
_HASHER = PasswordHasher()


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """The console's secrets, read from the environment once per app (repr hides them)."""

    secret: bytes
    password_hash: str | None

    def __repr__(self) -> str:
        return f"ConsoleConfig(secret=***, password_hash={'***' if self.password_hash else None})"


def console_config(request: Request, environ: Mapping[str, str] | None = None) -> ConsoleConfig:
    """The app's console configuration, built on first use from ``NAVIGATOR_CONSOLE_SECRET`` and
    ``NAVIGATOR_CONSOLE_PASSWORD_HASH`` (tests may put a ``ConsoleConfig`` in ``app.state.console_config``)."""
    state = request.app.state
    config = getattr(state, "console_config", None)
    if isinstance(config, ConsoleConfig):
        return config
    settings = getattr(state, "settings", None)
    if environ is None and settings is not None:
        raw_secret, password_hash = settings.console_secret, settings.console_password_hash
    else:
        env = os.environ if environ is None else environ
        raw_secret = env.get("NAVIGATOR_CONSOLE_SECRET", "")
        password_hash = env.get("NAVIGATOR_CONSOLE_PASSWORD_HASH") or None
    secret = hashlib.sha256(raw_secret.encode()).digest() if raw_secret else secrets.token_bytes(32)
    config = ConsoleConfig(secret=secret, password_hash=password_hash or None)
    state.console_config = config
    return config


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsoleSession:
    """Who is logged in (``sub``: a token id or :data:`PASSWORD_PRINCIPAL`; None before login) and the CSRF token."""

    sub: str | None
    name: str
    scope: str
    csrf: str
    iat: int

    @property
    def logged_in(self) -> bool:
        return self.sub is not None

    @classmethod
    def anonymous(cls) -> ConsoleSession:
        return cls(sub=None, name="", scope="", csrf=secrets.token_urlsafe(24), iat=int(time.time()))

    @classmethod
    def for_principal(cls, sub: str, name: str, scope: str) -> ConsoleSession:
        return cls(sub=sub, name=name, scope=scope, csrf=secrets.token_urlsafe(24), iat=int(time.time()))


def _sign(secret: bytes, payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret, payload, hashlib.sha256).digest()).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_session(session: ConsoleSession, secret: bytes) -> str:
    payload = json.dumps(
        {"sub": session.sub, "name": session.name, "scope": session.scope, "csrf": session.csrf, "iat": session.iat},
        separators=(",", ":"), sort_keys=True,
    ).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _sign(secret, payload)


def decode_session(value: str, secret: bytes, *, now: float | None = None) -> ConsoleSession | None:
    """The session in a cookie value, or None when it is malformed, forged or expired."""
    body, _, signature = value.partition(".")
    try:
        payload = _b64decode(body)
    except (binascii.Error, ValueError):
        return None
    if not signature or not hmac.compare_digest(_sign(secret, payload), signature):
        return None
    try:
        data = json.loads(payload)
        session = ConsoleSession(
            sub=data["sub"] if isinstance(data["sub"], str) else None, name=str(data["name"]),
            scope=str(data["scope"]), csrf=str(data["csrf"]), iat=int(data["iat"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if (now or time.time()) - session.iat > SESSION_SECONDS or len(session.csrf) < 16:
        return None
    return session


def read_session(request: Request) -> ConsoleSession | None:
    value = request.cookies.get(COOKIE)
    return decode_session(value, console_config(request).secret) if value else None


def write_session(request: Request, response: Response, session: ConsoleSession | None) -> None:
    """Set (or, with None, delete) the session cookie on ``response``."""
    secure = request.url.scheme == "https"
    if session is None:
        response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="strict")
        return
    response.set_cookie(
        COOKIE, encode_session(session, console_config(request).secret), max_age=SESSION_SECONDS, path="/",
        secure=secure, httponly=True, samesite="strict",
    )


def check_csrf(session: ConsoleSession | None, submitted: object) -> bool:
    """Whether a form's ``csrf`` field matches the session's token (constant time)."""
    return (
        session is not None and isinstance(submitted, str) and bool(submitted)
        and hmac.compare_digest(session.csrf.encode(), submitted.encode())
    )


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches the argon2 ``password_hash`` (False without a hash configured)."""
    if not password_hash or not password:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
