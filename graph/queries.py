"""Every Cypher query, by name: one ``.cypher`` file per query under ``graph/cypher/``.

``queries.UPSERT_SERVICES`` is the text of ``graph/cypher/upsert_services.cypher``. Names resolve lazily and are
cached; an unknown name is an AttributeError at the call site. A test checks that every file is used somewhere and
that every name used exists.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).with_name("cypher")

_names_by_text: dict[str, str] = {}


@cache
def _load(name: str) -> str:
    path = CYPHER_DIR / f"{name.lower()}.cypher"
    if not name.isupper() or not path.is_file():
        raise AttributeError(f"no Cypher query named {name} (expected {path})")
    text = path.read_text(encoding="utf-8").strip()
    _names_by_text[text] = name
    return text


def __getattr__(name: str) -> str:
    return _load(name)


def name_of(query: str) -> str:
    """The name of a query text loaded from here (``"STAGES_ALL"``), or ``"(unnamed)"``: for metrics and logs,
    which must never carry the text or its parameters."""
    return _names_by_text.get(query, "(unnamed)")


def names() -> list[str]:
    """All query names, upper-case, sorted."""
    return sorted(p.stem.upper() for p in CYPHER_DIR.glob("*.cypher"))
