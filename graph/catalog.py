"""Catalog files: YAML read with line numbers, turned into domain objects, and checked before anything is written.

The format is documented in ``docs/catalog-format.md``. A file with a problem (a bad field, an unknown reference,
a prerequisite cycle) is reported with file and line and left out whole; files that refer to what a left-out file
defines are left out in turn, so nothing half-valid reaches the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import CatalogProblem
from graph.model import (
    CHANNEL_KINDS,
    CRITERION_KINDS,
    SERVICE_TYPES,
    SITUATIONS,
    Agency,
    Bundle,
    Criterion,
    Evidence,
    Fee,
    LifeEvent,
    LifeStage,
    Service,
    Text,
)

DEMO_CATALOG = Path(__file__).with_name("demo")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KINDS = ("stages", "events", "agencies", "evidence", "criteria", "services", "bundles")
SINGULAR = {
    "stages": "stage", "events": "event", "agencies": "agency", "evidence": "evidence", "criteria": "criterion",
    "services": "service", "bundles": "bundle",
}
_LINE = "__line__"


@dataclass(slots=True)
class Catalog:
    """Domain objects of one load, by kind, with where each was defined (file, line)."""

    stages: dict[str, LifeStage] = field(default_factory=dict)
    events: dict[str, LifeEvent] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    criteria: dict[str, Criterion] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
    origin: dict[tuple[str, str], tuple[str, int | None]] = field(default_factory=dict)

    def merge(self, other: Catalog) -> None:
        for kind in KINDS:
            getattr(self, kind).update(getattr(other, kind))
        self.origin.update(other.origin)

    def count(self) -> int:
        return sum(len(getattr(self, kind)) for kind in KINDS)


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _FileReader:
    """Turns one file's YAML into domain objects, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label
        self.problems: list[CatalogProblem] = []
        self.catalog = Catalog()

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(CatalogProblem(self.label, line, message))

    def read(self) -> None:
        try:
            document = yaml.load(self.path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            self.problem(mark.line + 1 if mark else None, f"not valid YAML: {getattr(e, 'problem', e)}")
            return
        except (OSError, UnicodeDecodeError) as e:
            self.problem(None, f"cannot read: {e}")
            return
        if document is None:
            return
        if not isinstance(document, dict):
            self.problem(1, "a catalog file is a mapping of stages/events/agencies/evidence/criteria/services/bundles")
            return
        for key, value in document.items():
            if key == _LINE:
                continue
            if key not in KINDS:
                self.problem(document[_LINE], f"unknown top-level key {key!r}; expected one of {', '.join(KINDS)}")
                continue
            if not isinstance(value, list):
                self.problem(document[_LINE], f"{key} must be a list")
                continue
            for entry in value:
                if not isinstance(entry, dict):
                    self.problem(document[_LINE], f"every entry of {key} must be a mapping")
                    continue
                self._entry(key, entry)

    def _entry(self, kind: str, entry: dict[str, Any]) -> None:
        line = entry.get(_LINE)
        ident = entry.get("id")
        if not isinstance(ident, str) or not ID_PATTERN.match(ident):
            self.problem(line, f"{kind}: id {ident!r} must be kebab-case ASCII ([a-z0-9][a-z0-9-]*)")
            return
        target: dict[str, Any] = getattr(self.catalog, kind)
        if ident in target:
            self.problem(line, f"{kind}: id {ident!r} is defined twice")
            return
        before = len(self.problems)
        try:
            built = getattr(self, f"_build_{kind}")(entry, line)
        except (TypeError, ValueError) as e:
            self.problem(line, f"{kind} {ident!r}: {e}")
            return
        if len(self.problems) == before:
            target[ident] = built
            self.catalog.origin[(kind, ident)] = (self.label, line)

    # --- field helpers ---------------------------------------------------------------------------------------

    def _text(self, entry: Mapping[str, Any], key: str, line: int | None, *, required: bool) -> Text:
        value = entry.get(key)
        if value is None:
            if required:
                self.problem(line, f"{entry.get('id')!r}: {key} is required ({{zh: …, en: …}})")
            return Text()
        if isinstance(value, str):
            value = {"en": value} if value.isascii() else {"zh": value}
        if not isinstance(value, dict):
            raise ValueError(f"{key} must be a mapping {{zh: …, en: …}}")
        zh, en = value.get("zh") or "", value.get("en") or ""
        if not isinstance(zh, str) or not isinstance(en, str):
            raise ValueError(f"{key}.zh and {key}.en must be text")
        if required and not (zh.strip() and en.strip()):
            self.problem(line, f"{entry.get('id')!r}: {key} needs both zh and en")
        return Text(zh=zh.strip(), en=en.strip())

    @staticmethod
    def _ids(entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = entry.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{key} must be a list of ids")
        return tuple(dict.fromkeys(value))

    @staticmethod
    def _int(entry: Mapping[str, Any], key: str, *, default: int | None = None) -> int | None:
        value = entry.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{key} must be a whole number ≥ 0")
        return value

    # --- builders, one per kind ------------------------------------------------------------------------------

    def _build_stages(self, e: dict[str, Any], line: int | None) -> LifeStage:
        order = self._int(e, "order")
        if order is None:
            raise ValueError("order is required")
        return LifeStage(
            id=e["id"], order=order, min_age=self._int(e, "minAge"), max_age=self._int(e, "maxAge"),
            name=self._text(e, "name", line, required=True),
            description=self._text(e, "description", line, required=False),
        )

    def _build_events(self, e: dict[str, Any], line: int | None) -> LifeEvent:
        kind = e.get("kind", "life")
        if kind not in ("life", "business"):
            raise ValueError("kind must be life or business")
        stages = self._ids(e, "stages")
        if not stages:
            raise ValueError("stages must name at least one life stage")
        return LifeEvent(
            id=e["id"], kind=kind, name=self._text(e, "name", line, required=True),
            description=self._text(e, "description", line, required=False), stage_ids=stages,
            criterion_ids=self._ids(e, "criteria"), trigger_ids=self._ids(e, "triggers"),
            sdgr_code=str(e["sdgrCode"]) if e.get("sdgrCode") else None,
        )

    def _build_agencies(self, e: dict[str, Any], line: int | None) -> Agency:
        return Agency(id=e["id"], name=self._text(e, "name", line, required=True), level=e.get("level"))

    def _build_evidence(self, e: dict[str, Any], line: int | None) -> Evidence:
        return Evidence(
            id=e["id"], name=self._text(e, "name", line, required=True),
            description=self._text(e, "description", line, required=False),
        )

    def _build_criteria(self, e: dict[str, Any], line: int | None) -> Criterion:
        kind = e.get("kind")
        if kind not in CRITERION_KINDS:
            raise ValueError(f"kind must be one of {', '.join(CRITERION_KINDS)}")
        values = self._ids(e, "values")
        if kind == "situation" and (not values or set(values) - set(SITUATIONS)):
            raise ValueError(f"situation values must be among {', '.join(SITUATIONS)}")
        if kind == "region" and not values:
            raise ValueError("region criteria need values")
        flag = e.get("value")
        if kind in ("disability", "partner") and not isinstance(flag, bool):
            raise ValueError(f"{kind} criteria need value: true or false")
        minimum, maximum = self._int(e, "min"), self._int(e, "max")
        if kind in ("age", "child-age") and minimum is None and maximum is None:
            raise ValueError(f"{kind} criteria need min or max")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise ValueError("min is greater than max")
        evidence = e.get("evidence")
        if kind == "holds" and not isinstance(evidence, str):
            raise ValueError("holds criteria need evidence: <evidence id>")
        return Criterion(
            id=e["id"], kind=kind, description=self._text(e, "description", line, required=True), min=minimum,
            max=maximum, values=values, flag=flag if isinstance(flag, bool) else None,
            evidence_id=evidence if isinstance(evidence, str) else None,
        )

    def _build_services(self, e: dict[str, Any], line: int | None) -> Service:
        service_type = e.get("type", "other")
        if service_type not in SERVICE_TYPES:
            raise ValueError(f"type must be one of {', '.join(SERVICE_TYPES)}")
        channels = self._ids(e, "channels")
        unknown = set(channels) - set(CHANNEL_KINDS)
        if unknown:
            raise ValueError(f"unknown channel {sorted(unknown)[0]!r}; channels are {', '.join(CHANNEL_KINDS)}")
        fee = e.get("fee") or {}
        if not isinstance(fee, dict) or not isinstance(fee.get("amount", 0), int | float) or fee.get("amount", 0) < 0:
            raise ValueError("fee must be {amount: number ≥ 0, currency: CODE}")
        events = self._ids(e, "events")
        if not events:
            raise ValueError("events must name at least one life event")
        agency = e.get("agency")
        if agency is not None and not isinstance(agency, str):
            raise ValueError("agency must be an agency id")
        url = e.get("onlineUrl")
        if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
            raise ValueError("onlineUrl must be an http(s) URL")
        return Service(
            id=e["id"], name=self._text(e, "name", line, required=True),
            description=self._text(e, "description", line, required=False), type=service_type, agency_id=agency,
            event_ids=events, channel_ids=channels, requires=self._ids(e, "requires"),
            produces=self._ids(e, "produces"), prerequisite_ids=self._ids(e, "prerequisites"),
            criterion_ids=self._ids(e, "criteria"), processing_days=self._int(e, "processingDays"),
            fee=Fee(amount=float(fee.get("amount", 0)), currency=str(fee.get("currency", "CNY")),
                    note=self._text(fee, "note", line, required=False)),
            legal_basis=self._text(e, "legalBasis", line, required=False), online_url=url,
            visits=self._int(e, "visits", default=0) or 0, source="catalog", region=e.get("region"),
        )

    def _build_bundles(self, e: dict[str, Any], line: int | None) -> Bundle:
        services = self._ids(e, "services")
        if len(services) < 2:
            raise ValueError("a bundle packages at least 2 services")
        event = e.get("event")
        if not isinstance(event, str):
            raise ValueError("event must be a life event id")
        return Bundle(
            id=e["id"], name=self._text(e, "name", line, required=True),
            description=self._text(e, "description", line, required=False), event_id=event,
            service_ids=services, window=self._text(e, "window", line, required=False),
        )


def catalog_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadResult:
    catalog: Catalog
    problems: list[CatalogProblem]
    rejected_files: list[str]


def read_catalog(path: Path, known: Mapping[str, Iterable[str]] | None = None) -> ReadResult:
    """Read and check every file under ``path``. ``known`` maps kind → ids already in the graph.

    Returns the catalog of the files that passed, every problem, and the files left out.
    """
    base = path if path.is_dir() else path.parent
    readers = []
    for file in catalog_files(path):
        reader = _FileReader(file, str(file.relative_to(base)) if file.is_relative_to(base) else str(file))
        reader.read()
        readers.append(reader)
    existing = {kind: set(ids) for kind, ids in (known or {}).items()}
    rejected = {r.label for r in readers if r.problems}
    while True:
        accepted = Catalog()
        for reader in readers:
            if reader.label not in rejected:
                accepted.merge(reader.catalog)
        newly = set()
        for reader in readers:
            if reader.label in rejected:
                continue
            found = check_references(reader.catalog, accepted, existing, reader.label)
            if found:
                reader.problems.extend(found)
                newly.add(reader.label)
        if not newly:
            cycle = find_prerequisite_cycle(accepted)
            if cycle is None:
                break
            culprit = accepted.origin[("services", cycle[0])]
            reader = next(r for r in readers if r.label == culprit[0])
            reader.problem(culprit[1], "prerequisite cycle: " + " → ".join(cycle))
            newly.add(reader.label)
        rejected |= newly
    problems = [p for r in readers for p in r.problems]
    return ReadResult(catalog=accepted, problems=problems, rejected_files=sorted(rejected))


def check_references(
    part: Catalog, whole: Catalog, existing: Mapping[str, set[str]], label: str
) -> list[CatalogProblem]:
    """Every reference in ``part`` must resolve in ``whole`` or among ``existing`` ids."""

    def known(kind: str, ident: str) -> bool:
        return ident in getattr(whole, kind) or ident in existing.get(kind, set())

    problems = []

    def need(kind: str, owner_kind: str, owner: str, refs: Iterable[str], what: str) -> None:
        for ref in refs:
            if not known(kind, ref):
                line = part.origin.get((owner_kind, owner), (label, None))[1]
                problems.append(CatalogProblem(label, line, f"{SINGULAR[owner_kind]} {owner!r} {what} unknown {ref!r}"))

    for event in part.events.values():
        need("stages", "events", event.id, event.stage_ids, "is part of")
        need("criteria", "events", event.id, event.criterion_ids + event.trigger_ids, "names criterion")
    for criterion in part.criteria.values():
        if criterion.evidence_id:
            need("evidence", "criteria", criterion.id, [criterion.evidence_id], "names evidence")
    for service in part.services.values():
        need("evidence", "services", service.id, service.requires, "requires")
        need("evidence", "services", service.id, service.produces, "produces")
        need("events", "services", service.id, service.event_ids, "serves")
        need("services", "services", service.id, service.prerequisite_ids, "has prerequisite")
        need("criteria", "services", service.id, service.criterion_ids, "names criterion")
        if service.agency_id:
            need("agencies", "services", service.id, [service.agency_id], "is provided by")
        if service.id in service.prerequisite_ids:
            line = part.origin.get(("services", service.id), (label, None))[1]
            problems.append(CatalogProblem(label, line, f"service {service.id!r} is its own prerequisite"))
    for bundle in part.bundles.values():
        need("events", "bundles", bundle.id, [bundle.event_id or ""], "is for")
        need("services", "bundles", bundle.id, bundle.service_ids, "includes")
    return problems


def find_prerequisite_cycle(catalog: Catalog) -> list[str] | None:
    """A cycle of explicit prerequisites as a closed path of service ids, or None."""
    graph = {sid: [p for p in s.prerequisite_ids if p in catalog.services] for sid, s in catalog.services.items()}
    state: dict[str, int] = {}
    for root in sorted(graph):
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            node, index = stack.pop()
            if index == 0:
                state[node] = 1
                path.append(node)
            children = graph[node]
            if index < len(children):
                stack.append((node, index + 1))
                child = children[index]
                if state.get(child) == 1:
                    return [*path[path.index(child):], child]
                if not state.get(child):
                    stack.append((child, 0))
            else:
                state[node] = 2
                path.pop()
    return None
