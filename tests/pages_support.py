"""Helpers for the page tests: an HTML structure parser, a search index of the demo catalog, and test datasets.

The parser is stdlib ``html.parser``: it records what the page tests check (the ``lang`` attribute, landmarks,
headings, links, forms, scripts, ids) so tests assert on structure, not on strings.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

import uvicorn
from neo4j import Driver
from starlette.types import ASGIApp

from graph.catalog import DEMO_CATALOG, read_catalog
from graph.model import Text
from navigator.search import SearchDocument

LANDMARKS = {"header": "banner", "nav": "navigation", "main": "main", "footer": "contentinfo", "aside": "complementary"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
XSS_TITLE = "Births <script>alert(1)</script> by district"
XSS_DESCRIPTION = 'Newborn registrations <img src=x onerror=alert(1)> and "quotes" & </script><script>alert(2)</script>'


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    labelled: bool = False
    """For a form field: inside a ``<label>`` or named by an earlier ``<label for>``."""


@dataclass
class Page:
    """What a page is made of, as the page tests check it."""

    html_attrs: dict[str, str] = field(default_factory=dict)
    title: str = ""
    landmarks: list[str] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    links: list[Element] = field(default_factory=list)
    forms: list[Element] = field(default_factory=list)
    inputs: list[Element] = field(default_factory=list)
    scripts: list[Element] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    ids: Counter[str] = field(default_factory=Counter)
    labels_for: set[str] = field(default_factory=set)
    text: str = ""
    inline_styles: int = 0
    event_handlers: int = 0

    @property
    def lang(self) -> str:
        return self.html_attrs.get("lang", "")

    def link_to(self, prefix: str) -> list[Element]:
        return [a for a in self.links if a.attrs.get("href", "").startswith(prefix)]

    @property
    def h1(self) -> list[str]:
        return [text for level, text in self.headings if level == 1]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[Element] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        page = self.page
        if "id" in values:
            page.ids[values["id"]] += 1
        if "style" in values:
            page.inline_styles += 1
        page.event_handlers += sum(1 for k in values if k.startswith("on"))
        element = Element(tag, values)
        if tag == "html":
            page.html_attrs = values
        elif tag in LANDMARKS:
            page.landmarks.append(LANDMARKS[tag])
        elif tag == "a":
            page.links.append(element)
        elif tag == "form":
            page.forms.append(element)
        elif tag in ("input", "select", "textarea", "button"):
            element.labelled = values.get("id", "") in page.labels_for or any(e.tag == "label" for e in self.open)
            page.inputs.append(element)
        elif tag == "script":
            page.scripts.append(element)
        elif tag == "link" and values.get("rel") == "stylesheet":
            page.stylesheets.append(values.get("href", ""))
        elif tag == "label" and "for" in values:
            page.labels_for.add(values["for"])
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            element = self.open.pop()
            if element.tag == tag:
                element.text = " ".join(element.text.split())
                if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    self.page.headings.append((int(tag[1]), element.text))
                elif tag == "title":
                    self.page.title = element.text
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data
        if not any(e.tag in ("script", "style", "title") for e in self.open):
            self.texts.append(data)


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    parser.page.text = " ".join(" ".join(parser.texts).split())
    return parser.page


# --- a search index of the demo catalog -------------------------------------------------------------------------------


def _texts(text: Text) -> dict[str, str]:
    return {lang: value for lang, value in (("zh-Hans", text.zh), ("en", text.en)) if value}


def demo_search_documents() -> list[SearchDocument]:
    """Search documents for every stage, event, service and bundle of the demo catalog."""
    catalog = read_catalog(DEMO_CATALOG).catalog
    updated = datetime(2026, 1, 1, tzinfo=UTC)
    docs: list[SearchDocument] = []
    for stage in catalog.stages.values():
        docs.append(SearchDocument(kind="stage", id=stage.id, titles=_texts(stage.name),
                                   descriptions=_texts(stage.description), updated=updated))
    for event in catalog.events.values():
        docs.append(SearchDocument(kind="event", id=event.id, titles=_texts(event.name),
                                   descriptions=_texts(event.description), life_events=(event.id,), updated=updated))
    for service in catalog.services.values():
        agency = catalog.agencies.get(service.agency_id or "")
        keywords: dict[str, list[str]] = {"zh-Hans": [], "en": []}
        for doc_id in service.requires:
            evidence = catalog.evidence.get(doc_id)
            if evidence is not None:
                keywords["zh-Hans"].append(evidence.name.zh)
                keywords["en"].append(evidence.name.en)
        docs.append(SearchDocument(
            kind="service", id=service.id, titles=_texts(service.name), descriptions=_texts(service.description),
            keywords={k: tuple(v) for k, v in keywords.items()},
            organisation=agency.name.en if agency else None, life_events=service.event_ids, updated=updated,
        ))
    for bundle in catalog.bundles.values():
        docs.append(SearchDocument(kind="bundle", id=bundle.id, titles=_texts(bundle.name),
                                   descriptions=_texts(bundle.description),
                                   life_events=(bundle.event_id,) if bundle.event_id else (), updated=updated))
    return docs


# --- the app on a real server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_app(app: ASGIApp) -> Iterator[str]:
    """Run ``app`` (lifespan included) under uvicorn on a free loopback port in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", lifespan="on", access_log=True)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-pages-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


# --- open data for the page tests ------------------------------------------------------------------------------------

TEST_PORTAL = "pagetest"
XSS_DATASET = f"{TEST_PORTAL}:births-xss"
APPROVED_DATASET = f"{TEST_PORTAL}:clinics"
# The shapes the harvest writes (FROM_PORTAL, PUBLISHED_BY, HAS_RESOURCE, TAGGED, RELEVANT_TO), on top of the demo
# catalog; harvested text carries script and HTML payloads, and links carry javascript: URLs.
ADD_PAGE_DATASETS = """
MATCH (baby:LifeEvent {id: 'having-a-baby'})
MERGE (p:Portal {id: $portal})
SET p.title = 'Test <b>Portal</b>', p.url = 'https://data.example.org/', p.lastSuccessfulRunAt = '2026-11-01T00:00:00Z'
MERGE (o:Organization {id: $portal + ':health'})
SET o.name = 'health', o.title = 'Health <i>Commission</i>', o.titleZh = '卫生健康委员会'
MERGE (x:Dataset {id: $xss})
SET x += {portal: $portal, ckanId: 'births-xss', name: 'births-xss', state: 'active', title: $title, titleEn: $title,
  titleZh: '分区出生人数<script>alert(1)</script>', description: $description,
  descriptionsJson: $descriptions, licenceId: 'cc-by', licenceTitle: 'CC BY <script>alert(3)</script>',
  licenceUrl: 'javascript:alert(4)', landingUrl: 'https://data.example.org/dataset/births-xss',
  harvestedAt: '2026-11-01T00:00:00Z', modified: '2026-10-30T08:00:00Z'}
MERGE (x)-[:FROM_PORTAL]->(p)
MERGE (x)-[:PUBLISHED_BY]->(o)
MERGE (x)-[:HAS_RESOURCE]->(r1:Resource {id: $xss + '#0'})
SET r1 += {position: 0, name: '<img src=x onerror=alert(5)>.csv', format: 'CSV', url: 'javascript:alert(6)'}
MERGE (x)-[:HAS_RESOURCE]->(r2:Resource {id: $xss + '#1'})
SET r2 += {position: 1, name: 'births.json', format: 'JSON', url: 'https://data.example.org/births.json', size: 2048}
MERGE (x)-[:TAGGED]->(:Tag {id: 'en:<b>births</b>', name: '<b>births</b>', lang: 'en'})
MERGE (x)-[l:RELEVANT_TO]->(baby)
SET l += {score: 0.9, method: 'keyword', matchedTerms: ['birth', '<script>出生</script>'], status: 'suggested'}
REMOVE l.reviewedBy, l.reviewedAt
MERGE (c:Dataset {id: $approved})
SET c += {portal: $portal, ckanId: 'clinics', name: 'clinics', state: 'active', title: 'Vaccination clinics',
  titleZh: '预防接种门诊', titleEn: 'Vaccination clinics', description: 'Where newborns are vaccinated.'}
MERGE (c)-[:FROM_PORTAL]->(p)
MERGE (c)-[a:RELEVANT_TO]->(baby)
SET a += {score: 0.6, method: 'keyword', matchedTerms: ['vaccination'], status: 'approved'}
MERGE (run:HarvestRun {id: $portal + ':run-1'})
SET run += {portal: $portal, status: 'succeeded', mode: 'full', startedAt: '2026-11-01T00:00:00Z',
  finishedAt: '2026-11-01T00:00:09Z', new: 2, updated: 0, unchanged: 0, withdrawn: 0, rejected: 1, seconds: 9.5,
  rejectedReasonsJson: '[{"ref": "bad-1", "reason": "no <b>title</b>"}]'}
MERGE (run)-[:HARVESTED]->(p)
"""
REMOVE_PAGE_DATASETS = """
MATCH (n) WHERE ((n:Dataset OR n:Portal OR n:Organization OR n:Group OR n:HarvestRun OR n:ChangeRecord)
  AND (n.id = $portal OR n.id STARTS WITH $prefix OR n.datasetId STARTS WITH $prefix))
  OR (n:ApiToken AND n.name STARTS WITH $portal)
OPTIONAL MATCH (n)-[:HAS_RESOURCE|TAGGED]->(m)
DETACH DELETE n, m
"""


def add_page_datasets(driver: Driver) -> None:
    """Add the test portal, its two datasets (one full of payloads, suggested; one approved) and a harvest run."""
    descriptions = json.dumps({"en": XSS_DESCRIPTION, "zh-hans": "新生儿登记" + XSS_DESCRIPTION})
    driver.execute_query(ADD_PAGE_DATASETS, portal=TEST_PORTAL, xss=XSS_DATASET, approved=APPROVED_DATASET,
                         title=XSS_TITLE, description=XSS_DESCRIPTION, descriptions=descriptions)


def remove_page_datasets(driver: Driver) -> None:
    driver.execute_query(REMOVE_PAGE_DATASETS, portal=TEST_PORTAL, prefix=TEST_PORTAL + ":")


def ckan_package(name: str, title: str, modified: str = "2026-10-01T00:00:00.000000") -> dict[str, object]:
    """A small CKAN package as ``package_show`` returns it."""
    return {
        "id": f"id-{name}", "name": name, "title": title, "notes": f"About {title}.", "state": "active",
        "type": "dataset", "private": False, "metadata_created": "2026-01-01T00:00:00.000000",
        "metadata_modified": modified, "license_id": "cc-by", "license_title": "Creative Commons Attribution",
        "organization": {"id": "org-health", "name": "health", "title": "Health Commission"},
        "tags": [{"name": "births"}, {"name": "newborn"}], "groups": [],
        "resources": [{"id": f"res-{name}", "name": f"{name}.csv", "format": "CSV",
                       "url": f"https://data.example.org/{name}.csv"}],
        "extras": [],
    }
