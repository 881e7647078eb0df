"""Every Cypher query, by name: one ``.cypher`` file per query under ``graph/cypher/``.

``queries.UPSERT_SERVICES`` is the text of ``graph/cypher/upsert_services.cypher``. Names resolve lazily and are
cached; an unknown name is an AttributeError at the call site. A test checks that every file is used somewhere and
that every name used exists.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).with_name("cypher")


@cache
def _load(name: str) -> str:
    path = CYPHER_DIR / f"{name.lower()}.cypher"
    if not name.isupper() or not path.is_file():
        raise AttributeError(f"no Cypher query named {name} (expected {path})")
    return path.read_text(encoding="utf-8").strip()


def __getattr__(name: str) -> str:
    return _load(name)


def names() -> list[str]:
    """All query names, upper-case, sorted."""
    return sorted(p.stem.upper() for p in CYPHER_DIR.glob("*.cypher"))
