"""Rendering the server-side pages: one Jinja2 environment (autoescape everywhere), the page context, the headers.

Harvested and catalog text is untrusted and reaches the HTML only through autoescaped expressions; links taken from
data pass :func:`safe_url` (http and https only); JSON-LD passes :func:`json_script`, which escapes ``<``, ``>`` and
``&`` so no ``</script>`` can close the element. Every page carries :data:`SECURITY_HEADERS`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from graph.model import Channel, Fee, Text
from navigator.i18n import HTML_LANG, LANGUAGES, catalog, language_from_header, other_language, translator

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "ELDER_COOKIE",
    "SECURITY_HEADERS",
    "TEMPLATES_DIR",
    "json_script",
    "page_language",
    "path_segment",
    "render",
    "safe_url",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ELDER_COOKIE = "mode"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_script(data: Any) -> Markup:
    """``data`` as JSON safe to place inside ``<script type="application/ld+json">``."""
    return Markup(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES))  # noqa: S704


def path_segment(value: str) -> str:
    """``value`` percent-encoded as one URL path segment (``:`` and ``@`` stay, as RFC 3986 allows; ``/`` does not)."""
    return quote(str(value), safe=":@!$'()*+,;=-._~")


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (no ``javascript:``, ``data:`` or relative tricks)."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\r\n\t "):
        return None
    return url


def page_language(request: Request) -> str:
    """The language of the page: the path prefix (``/zh/…``, ``/en/…``), else what the browser asks for."""
    first = request.url.path.lstrip("/").split("/", 1)[0]
    if first in LANGUAGES:
        return first
    return language_from_header(request.headers.get("accept-language"))


def alternate_path(request: Request, lang: str) -> str | None:
    """The same page in the other language (a GET page only; query strings hold no personal data there)."""
    path = request.url.path
    prefix = f"/{lang}/"
    if not (path.startswith(prefix) or path == f"/{lang}"):
        return None
    other = f"/{other_language(lang)}/" + path[len(prefix):]
    query = request.url.query if request.method == "GET" else ""
    return other + (f"?{query}" if query else "")


@pass_context
def _txt(context: Context, text: Text | None) -> str:
    return text.get(context["lang"]) if text is not None else ""


@pass_context
def _t_or(context: Context, key: str, fallback: str) -> str:
    """The message ``key`` when the catalog has it, else ``fallback`` (a data value such as a region id)."""
    return str(catalog(context["lang"]).get(key, fallback))


@pass_context
def _fee_text(context: Context, fee: Fee) -> str:
    t = context["t"]
    if fee.free:
        return str(t("format.free"))
    amount = f"{fee.amount:g}"
    return str(t("format.fee_cny", amount=amount) if fee.currency == "CNY" else t("format.fee", amount=amount,
                                                                                 currency=fee.currency))


@pass_context
def _days_text(context: Context, days: int | None) -> str:
    t = context["t"]
    if days is None:
        return str(t("format.days_unknown"))
    if days <= 1:
        return str(t("format.same_day") if days == 0 else t("format.day"))
    return str(t("format.days", count=days))


@pass_context
def _visits_text(context: Context, visits: int) -> str:
    t = context["t"]
    if visits <= 1:
        return str(t("format.no_visit") if visits == 0 else t("format.visit"))
    return str(t("format.visits", count=visits))


@pass_context
def _ages_text(context: Context, low: int | None, high: int | None) -> str:
    t = context["t"]
    if high is None:
        return str(t("format.ages_from", low=low or 0))
    return str(t("format.ages", low=low or 0, high=high))


@pass_context
def _channel_text(context: Context, channel: Channel) -> str:
    return _txt(context, channel.name) or str(context["t"]("channel." + channel.id))


_ISO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?")


@pass_context
def _time_text(context: Context, stamp: str | None) -> str:
    """An ISO timestamp as ``2026-10-30 08:00`` (UTC as stored); anything else as given, or "not stated"."""
    if not stamp:
        return str(context["t"]("service.unknown"))
    match = _ISO_TIME.match(stamp)
    if match is None:
        return stamp
    return match[1] + (f" {match[2]} UTC" if match[2] else "")


@pass_context
def _size_text(context: Context, size: int | None) -> str:
    t = context["t"]
    if size is None:
        return str(t("service.unknown"))
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return str(t("format.bytes", count=size))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
    )
    env.globals.update(
        txt=_txt, t_or=_t_or, fee_text=_fee_text, days_text=_days_text, visits_text=_visits_text, ages_text=_ages_text,
        channel_text=_channel_text, size_text=_size_text, time_text=_time_text, safe_url=safe_url,
        json_script=json_script,
    )
    env.filters["seg"] = path_segment
    return env


ENVIRONMENT = _environment()


def is_elder(request: Request) -> bool:
    return request.cookies.get(ELDER_COOKIE) == "elder"


def render(
    request: Request, template: str, *, status: int = 200, section: str = "", headers: dict[str, str] | None = None,
    lang: str | None = None, **context: Any,
) -> HTMLResponse:
    """Render ``template`` for ``request`` in its page language, with the security headers."""
    lang = lang or page_language(request)
    alternate = alternate_path(request, lang)
    query = request.url.query
    here = request.url.path + (f"?{query}" if query and request.method == "GET" else "")
    html = ENVIRONMENT.get_template(template).render(
        lang=lang, html_lang=HTML_LANG[lang], t=translator(lang), other_html_lang=HTML_LANG[other_language(lang)],
        alternate_url=alternate, elder=is_elder(request), section=section, here=here if alternate else f"/{lang}/",
        **context,
    )
    return HTMLResponse(html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})
