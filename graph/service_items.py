"""Importer for the Chinese national government-service item format (政务服务事项), one JSON object per line.

Fields used (as the provincial service portals publish them): ``TASK_CODE`` (事项编码), ``TASK_NAME``/``matter_name``,
``TASK_TYPE_TEXT`` (事项类型), ``DEPT_NAME`` (实施部门), ``accept_standard`` (受理条件), ``material_intro`` (申请材料),
``handle_time_limit`` (承诺时限, e.g. ``7(工作日)``), ``visit_number`` (到现场次数), ``ONLINECHECK`` (网办),
``courier_service`` (快递), ``URL``, ``AREACODE``/``AREA_CODE_TEXT``, ``theme_category`` (主题分类).

Materials become ``Evidence`` deduplicated by normalised name; departments become ``Agency``; theme categories map
to life events through ``service_item_themes.yaml``. Each bad line is rejected with its line number and reason and
nothing of it is written; the rest loads in one idempotent transaction.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo4j
import yaml

from graph import queries
from graph.catalog import Catalog
from graph.loader import LoadReport, catalog_ids, write_catalog
from graph.model import Agency, Evidence, Fee, Service, Text, normalise_name

THEME_MAP_FILE = Path(__file__).with_name("service_item_themes.yaml")
_CODE = re.compile(r"^[0-9A-Za-z]{6,64}$")
_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[（(]\s*(工作日|自然日|个工作日|天|日)\s*[)）]\s*$")
_EMPTY = {"", "无", "暂无", "null", "none", "-", "/"}
_TYPE_MAP = {
    "行政许可": "permit", "行政给付": "benefit", "行政确认": "certificate", "公共服务": "information",
    "行政征收": "tax", "行政奖励": "other", "行政裁决": "other", "其他行政权力": "other",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemRejected:
    line: int
    code: str | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}" + (f" ({self.code})" if self.code else "") + f": {self.reason}"


def load_theme_map(path: Path = THEME_MAP_FILE) -> dict[str, tuple[str, ...]]:
    """Theme category (主题分类) → life-event ids."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    themes = raw.get("themes", {})
    return {str(k): tuple(v if isinstance(v, list) else [v]) for k, v in themes.items()}


def _short_id(prefix: str, text: str) -> str:
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def parse_time_limit(raw: Any) -> int | None:
    """``"7(工作日)"`` → 7 working days; natural days convert at 5 working days a week; empty → None."""
    if raw is None:
        return None
    text = str(raw).strip()
    if text in _EMPTY:
        return None
    if text in ("即办", "即办件", "当场办结", "立即办结"):
        return 0
    match = _LIMIT.match(text)
    if match is None:
        if text.isdigit():
            return int(text)
        raise ValueError(f"handle_time_limit {text!r} is not a time limit like '7(工作日)'")
    amount = float(match.group(1))
    if match.group(2) in ("工作日", "个工作日"):
        return math.ceil(amount)
    return math.ceil(amount * 5 / 7)


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text in _EMPTY else text


def _materials(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"[；;\n]", str(value))
    if not all(isinstance(item, str) for item in items):
        raise ValueError("material_intro must be text or a list of texts")
    names = []
    for item in items:
        name = item.strip().strip("。.；;，,")
        if name and name not in _EMPTY:
            names.append(name[:200])
    return list(dict.fromkeys(names))


def item_to_service(
    item: Mapping[str, Any], themes: Mapping[str, tuple[str, ...]], events: set[str],
    known_evidence: Mapping[str, str] | None = None,
) -> tuple[Service, list[Evidence], Agency | None]:
    """One service item → a Service with its evidence and agency. Raises ValueError with the reason."""
    code = item.get("TASK_CODE")
    if not isinstance(code, str) or not _CODE.match(code.strip()):
        raise ValueError(f"TASK_CODE {code!r} is missing or not an item code")
    name = _text(item.get("TASK_NAME")) or _text(item.get("matter_name"))
    if not name:
        raise ValueError("TASK_NAME and matter_name are both empty")
    visits_raw = item.get("visit_number", 0)
    try:
        visits = int(str(visits_raw).strip() or 0)
    except ValueError as e:
        raise ValueError(f"visit_number {visits_raw!r} is not a number") from e
    if not 0 <= visits <= 10:
        raise ValueError(f"visit_number {visits} is out of range 0..10")
    days = parse_time_limit(item.get("handle_time_limit"))
    known = known_evidence or {}
    evidence = [
        Evidence(id=known.get(normalise_name(material)) or _short_id("ev", normalise_name(material)),
                 name=Text(zh=material))
        for material in _materials(item.get("material_intro"))
    ]
    department = _text(item.get("DEPT_NAME"))
    agency = None
    if department:
        agency = Agency(id=_short_id("agency", normalise_name(department)), name=Text(zh=department))
    theme_list = item.get("theme_category") or []
    if not isinstance(theme_list, list):
        theme_list = [theme_list]
    event_ids = tuple(dict.fromkeys(e for t in theme_list for e in themes.get(str(t), ()) if e in events))
    online = str(item.get("ONLINECHECK", "")).strip() == "1"
    channels = ["in-person"] if visits > 0 or not online else []
    if online:
        channels.append("online")
    if _text(item.get("courier_service")) == "是":
        channels.append("post")
    url = _text(item.get("URL"))
    service = Service(
        id="item-" + code.strip().lower(),
        name=Text(zh=name),
        description=Text(zh=_text(item.get("accept_standard"))[:2000]),
        type=_TYPE_MAP.get(_text(item.get("TASK_TYPE_TEXT")), "other"),
        agency_id=agency.id if agency else None,
        event_ids=event_ids,
        channel_ids=tuple(channels),
        requires=tuple(dict.fromkeys(e.id for e in evidence)),
        processing_days=days,
        fee=Fee(note=Text(zh="以办理机构公示为准", en="As published by the agency")),
        online_url=url if url.startswith(("https://", "http://")) else None,
        visits=visits,
        source="service-items",
        region=_text(item.get("AREACODE")) or None,
    )
    return service, evidence, agency


def read_service_items(
    lines: Iterable[str], themes: Mapping[str, tuple[str, ...]], events: set[str],
    known_evidence: Mapping[str, str] | None = None,
) -> tuple[Catalog, list[ItemRejected], int]:
    """Parse every line; returns the catalog of good items, the rejected ones, and how many lines were read.

    ``known_evidence`` maps normalised names to the ids of Evidence already in the graph: a material of the same
    name is that document, not a new one (and is not rewritten).
    """
    known_ids = set((known_evidence or {}).values())
    catalog = Catalog()
    rejected: list[ItemRejected] = []
    seen: dict[str, int] = {}
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            rejected.append(ItemRejected(line=number, code=None, reason=f"not valid JSON: {e.msg}"))
            continue
        if not isinstance(item, dict):
            rejected.append(ItemRejected(line=number, code=None, reason="not a JSON object"))
            continue
        code = item.get("TASK_CODE") if isinstance(item.get("TASK_CODE"), str) else None
        try:
            service, evidence, agency = item_to_service(item, themes, events, known_evidence)
        except ValueError as e:
            rejected.append(ItemRejected(line=number, code=code, reason=str(e)))
            continue
        if service.id in seen:
            rejected.append(ItemRejected(line=number, code=code, reason=f"duplicate of line {seen[service.id]}"))
            continue
        seen[service.id] = number
        catalog.services[service.id] = service
        for ev in evidence:
            if ev.id not in known_ids:
                catalog.evidence.setdefault(ev.id, ev)
        if agency:
            catalog.agencies.setdefault(agency.id, agency)
    return catalog, rejected, count


def load_service_items(driver: neo4j.Driver, path: Path, database: str | None = None) -> LoadReport:
    """Import a service-items JSON-lines file; a second run of the same file changes nothing."""
    started = time.perf_counter()
    report = LoadReport(source=str(path))
    events = catalog_ids(driver, database)["events"]
    records, _, _ = driver.execute_query(
        queries.EVIDENCE_NORM_NAMES, database_=database, routing_=neo4j.RoutingControl.READ
    )
    known = {r["normName"]: r["id"] for r in records if r["normName"]}
    with path.open(encoding="utf-8") as handle:
        catalog, rejected, _ = read_service_items(handle, load_theme_map(), events, known)
    report.rejected = len(rejected)
    report.rejected_items = [(str(r.line), str(r)) for r in rejected]
    write_catalog(driver, catalog, report, database)
    report.seconds = time.perf_counter() - started
    return report
