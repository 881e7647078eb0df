"""What every page handler takes from its request: the page language, a graph reader, an id, a safe return path."""

from __future__ import annotations

from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request

from graph.session import GraphReader
from navigator.i18n import LANGUAGES

__all__ = ["LanguageConvertor", "graph_reader", "local_path", "path_ident", "path_language", "register_language"]

_ID_MAX = 300


class LanguageConvertor(Convertor[str]):
    """``{lang:lang}`` in a route path: one of the page languages, so ``/fr/…`` matches no page route at all."""

    regex = "|".join(LANGUAGES)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


def register_language() -> None:
    """Make ``{lang:lang}`` known to Starlette's routing (idempotent)."""
    register_url_convertor("lang", LanguageConvertor())


def graph_reader(request: Request) -> GraphReader:
    settings = request.app.state.settings
    return GraphReader(
        request.app.state.driver, settings.query_timeout, settings.neo4j_database, settings.neo4j_retry_time
    )


def path_language(request: Request) -> str:
    """The ``{lang}`` of the route, or 404 when it is not one of ours."""
    lang = str(request.path_params.get("lang", ""))
    if lang not in LANGUAGES:
        raise HTTPException(404)
    return lang


def path_ident(request: Request) -> str:
    ident = str(request.path_params["id"])
    if not ident or len(ident) > _ID_MAX:
        raise HTTPException(404)
    return ident


def local_path(target: Any, lang: str) -> str:
    """``target`` when it is a path of our pages in ``lang`` (never another site), else the home page."""
    if isinstance(target, str) and target.startswith(f"/{lang}/") and "//" not in target and "\\" not in target:
        return target
    return f"/{lang}/"
