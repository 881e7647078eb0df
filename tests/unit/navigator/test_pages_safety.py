"""What keeps harvested text harmless on the pages: JSON-LD escaping, URL checks, snippets, SVG labels, sessions."""

from __future__ import annotations

import base64
import json
import time

import pytest
from argon2 import PasswordHasher

from navigator.charts import bar_chart
from navigator.console_session import ConsoleSession, check_csrf, decode_session, encode_session, verify_password
from navigator.pages_render import CONTENT_SECURITY_POLICY, json_script, safe_url
from navigator.pages_search import marked_snippet

PAYLOAD = "</script><script>alert(1)</script><img src=x onerror=alert(1)>&"


def test_json_ld_cannot_close_its_script_element() -> None:
    text = str(json_script({"name": PAYLOAD, "line": "a\u2028b"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": PAYLOAD, "line": "a\u2028b"}


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<b>", "//evil.example/",
    "/relative", "http://", "https://exa mple.org/", "https://example.org/\nx", "vbscript:x", "", None, "ftp://a/b",
])
def test_only_absolute_http_urls_become_links(url: str | None) -> None:
    assert safe_url(url) is None


def test_an_https_url_is_kept() -> None:
    assert safe_url(" https://data.example.org/a?b=1 ") == "https://data.example.org/a?b=1"


def test_a_snippet_keeps_only_its_marks() -> None:
    snippet = "Birth &lt;script&gt;alert(1)&lt;/script&gt; <mark>registration</mark> <b>x</b>"
    html = str(marked_snippet(snippet))
    assert html == ("Birth &lt;script&gt;alert(1)&lt;/script&gt; <mark>registration</mark> "
                    "&lt;b&gt;x&lt;/b&gt;")


def test_a_chart_escapes_its_labels_and_is_labelled() -> None:
    svg = str(bar_chart([("<script>", [3, 1])], ["A&B", "C"], title="T<", description="D>", ident="c"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A&amp;B" in svg
    assert 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">T&lt;</title>' in svg
    assert "style=" not in svg  # the CSP allows no inline style


def test_the_policy_allows_no_inline_script_or_style() -> None:
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


SECRET = b"k" * 32


def test_a_session_round_trips_and_a_forged_one_does_not() -> None:
    session = ConsoleSession.for_principal("tok1", "Ann", "portal:tw")
    value = encode_session(session, SECRET)
    assert decode_session(value, SECRET) == session
    assert decode_session(value, b"other" * 8) is None
    _, _, signature = value.partition(".")
    forged = json.dumps({"sub": "admin", "name": "x", "scope": "all", "csrf": "c" * 24, "iat": int(time.time())})
    assert decode_session(base64.urlsafe_b64encode(forged.encode()).decode() + "." + signature, SECRET) is None
    assert decode_session("garbage", SECRET) is None
    assert decode_session("!!!.???", SECRET) is None


def test_a_session_expires() -> None:
    session = ConsoleSession(sub="t", name="n", scope="all", csrf="c" * 24, iat=int(time.time()) - 9 * 3600)
    assert decode_session(encode_session(session, SECRET), SECRET) is None


def test_csrf_must_match_the_session() -> None:
    session = ConsoleSession.anonymous()
    assert check_csrf(session, session.csrf)
    assert not check_csrf(session, "x" + session.csrf[1:])
    assert not check_csrf(session, "") and not check_csrf(session, None) and not check_csrf(None, session.csrf)
    assert ConsoleSession.anonymous().csrf != session.csrf


def test_the_console_password_is_checked_against_its_argon2_hash() -> None:
    hashed = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse")
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "correct horse")
    assert not verify_password("not-a-hash", "x")
