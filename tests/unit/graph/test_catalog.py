"""Catalog files are checked before anything is written: problems carry file and line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from graph.catalog import DEMO_CATALOG, find_prerequisite_cycle, read_catalog

BASE = """\
stages:
  - id: birth
    order: 1
    minAge: 0
    maxAge: 2
    name: {zh: 出生, en: Birth}
events:
  - id: having-a-baby
    stages: [birth]
    name: {zh: 生育, en: Having a baby}
agencies:
  - id: hospital
    name: {zh: 医院, en: Hospital}
evidence:
  - id: birth-medical-certificate
    name: {zh: 出生医学证明, en: Birth medical certificate}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_demo_catalog_is_clean_and_large_enough() -> None:
    result = read_catalog(DEMO_CATALOG)
    assert result.problems == []
    catalog = result.catalog
    assert len(catalog.stages) >= 8
    assert len(catalog.events) >= 30
    assert len(catalog.services) >= 120
    assert len(catalog.bundles) >= 10
    bilingual = [s for s in catalog.services.values() if s.name.zh and s.name.en]
    assert len(bilingual) == len(catalog.services)


def test_demo_evidence_flow_is_chained() -> None:
    catalog = read_catalog(DEMO_CATALOG).catalog
    produced = {e for s in catalog.services.values() for e in s.produces}
    required = {e for s in catalog.services.values() for e in s.requires}
    assert "birth-medical-certificate" in produced & required
    assert len(produced & required) >= 15


def test_unknown_evidence_is_reported_with_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, "base.yaml", BASE)
    _write(tmp_path, "services.yaml", """\
        services:
          - id: good-service
            name: {zh: 好服务, en: Good service}
            events: [having-a-baby]
            requires: [birth-medical-certificate]
          - id: bad-service
            name: {zh: 坏服务, en: Bad service}
            events: [having-a-baby]
            requires: [no-such-document]
        """)
    result = read_catalog(tmp_path)
    assert [str(p) for p in result.problems] == [
        "services.yaml:6: service 'bad-service' requires unknown 'no-such-document'"
    ]
    assert result.rejected_files == ["services.yaml"]
    assert result.catalog.services == {}  # nothing of that file, not even the good service
    assert set(result.catalog.stages) == {"birth"}


def test_prerequisite_cycle_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "base.yaml", BASE)
    _write(tmp_path, "cycle.yaml", """\
        services:
          - id: a-service
            name: {zh: 甲, en: A}
            events: [having-a-baby]
            prerequisites: [c-service]
          - id: b-service
            name: {zh: 乙, en: B}
            events: [having-a-baby]
            prerequisites: [a-service]
          - id: c-service
            name: {zh: 丙, en: C}
            events: [having-a-baby]
            prerequisites: [b-service]
        """)
    result = read_catalog(tmp_path)
    assert result.rejected_files == ["cycle.yaml"]
    (problem,) = result.problems
    assert problem.file == "cycle.yaml" and problem.line == 2
    assert "prerequisite cycle: a-service → c-service → b-service → a-service" in problem.message


def test_files_depending_on_a_rejected_file_are_left_out_too(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", BASE + "  - id: Bad Id\n    name: {zh: 坏, en: Bad}\n")
    _write(tmp_path, "b.yaml", """\
        services:
          - id: needs-base
            name: {zh: 需要, en: Needs}
            events: [having-a-baby]
        """)
    result = read_catalog(tmp_path)
    assert result.rejected_files == ["a.yaml", "b.yaml"]
    assert any("b.yaml:2" in str(p) and "having-a-baby" in str(p) for p in result.problems)


def test_broken_yaml_and_bad_fields_are_problems_not_crashes(tmp_path: Path) -> None:
    _write(tmp_path, "broken.yaml", "stages: [\n")
    _write(tmp_path, "fields.yaml", """\
        criteria:
          - id: odd-age
            kind: age
            min: 70
            max: 60
            description: {zh: 错, en: Wrong}
          - id: odd-kind
            kind: star-sign
            description: {zh: 错, en: Wrong}
        """)
    result = read_catalog(tmp_path)
    messages = [str(p) for p in result.problems]
    assert any(m.startswith("broken.yaml:") and "not valid YAML" in m for m in messages)
    assert "fields.yaml:2: criteria 'odd-age': min is greater than max" in messages
    assert any(m.startswith("fields.yaml:7:") and "kind must be one of" in m for m in messages)


def test_known_ids_from_the_graph_satisfy_references(tmp_path: Path) -> None:
    _write(tmp_path, "extra.yaml", """\
        services:
          - id: extra-service
            name: {zh: 额外, en: Extra}
            events: [having-a-baby]
            requires: [birth-medical-certificate]
        """)
    assert read_catalog(tmp_path).rejected_files == ["extra.yaml"]
    known = {"events": ["having-a-baby"], "evidence": ["birth-medical-certificate"]}
    result = read_catalog(tmp_path, known=known)
    assert result.problems == [] and set(result.catalog.services) == {"extra-service"}


def test_find_prerequisite_cycle_none_on_a_dag() -> None:
    catalog = read_catalog(DEMO_CATALOG).catalog
    assert find_prerequisite_cycle(catalog) is None
