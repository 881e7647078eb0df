"""Imports point one way — navigator → graph → opendata — and Cypher text lives only in graph/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("navigator", "graph", "opendata")
ALLOWED = {"navigator": {"navigator", "graph", "opendata"}, "graph": {"graph", "opendata"}, "opendata": {"opendata"}}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_imports_point_one_way() -> None:
    wrong = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, module in _imports(path):
                top = module.split(".")[0]
                if top in PACKAGES and top not in ALLOWED[package]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
                if package == "graph" and top == "opendata" and module not in ("opendata.records", "opendata.errors"):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module} (graph takes only record types)")
    assert wrong == []


def test_the_layer_check_catches_a_wrong_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from navigator.settings import Settings\nimport graph.model\n")
    assert [m for _, m in _imports(bad)] == ["navigator.settings", "graph.model"]


CYPHER = re.compile(r"\b(MATCH|MERGE|UNWIND)\s*\(|\bRETURN\s+\w+\s+AS\b|\bCALL\s+(db|dbms)\.")


def test_no_cypher_outside_graph() -> None:
    offenders = []
    for package in ("navigator", "opendata"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if CYPHER.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
