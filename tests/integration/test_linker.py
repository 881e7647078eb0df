"""Linking the real datasets of the shared portals to the demo life events, against the real Neo4j: coverage, pinned
correct and must-not links (zh-Hant, en, pt), idempotence, and data officers' decisions surviving re-links and
re-harvests."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import neo4j
import pytest

from graph.catalog import DEMO_CATALOG
from graph.datasets import HarvestSource, load_snapshot
from graph.linker import link_datasets
from graph.loader import load_catalog
from navigator.settings import PROJECT_ROOT, Settings
from tests.integration.test_datasets import _cli_env, load_all_shared, records_of, shared_items

pytestmark = pytest.mark.shared

# (portal, title, life event, a matched term the reason must name)
CORRECT = [
    ("tw-depositar", "晶片身分證（new eID）各標案需求建議書", "getting-an-id-card", "身分证"),
    ("tw-depositar", "臺東縣醫療院所", "falling-ill", "医疗院所"),
    ("tw-depositar", "長照機構地震因應手冊", "ageing-well", "长照"),
    ("tw-depositar", "台南餐飲", "opening-a-restaurant", "餐饮"),
    ("tw-depositar", "臺南市社會福利地圖", "facing-financial-hardship", "社会福利"),
    ("uk-data-gov-uk", "Food Hygiene Ratings", "opening-a-restaurant", "food hygiene"),
    ("uk-data-gov-uk-legacy-2015", "Car Parks", "driving-a-vehicle", "car parks"),
    ("ca-asc-csa", "Study on concepts and Business Models for a Network of Incubators supporting Space Activities - "
     "Executive Summary", "seeking-startup-support", "incubators"),
    ("br-dados-gov-br", "Fundo de Financiamento Estudantil - FIES", "financing-studies", "fies"),
    ("br-dados-gov-br", "INSS - Comunicação de Acidente de Trabalho - CAT", "work-injury", "acidente de trabalho"),
    ("br-dados-gov-br", "Infrações de Trânsito", "driving-a-vehicle", "trânsito"),
    ("br-dados-gov-br", "Programa Universidade para Todos - ProUni", "going-to-university", "prouni"),
    ("br-dados-gov-br", "Bolsa Família - Pagamentos", "facing-financial-hardship", "bolsa família"),
    ("br-dados-gov-br", "INSS - Benefícios Concedidos", "retiring", "inss benefícios"),
    ("br-dados-gov-br", "Número de discentes com deficiência atendidos pelo NAIA", "living-with-disability",
     "deficiência"),
]  # fmt: skip
# (portal, title, life events it must not link to): each a term of the event appearing in the wrong sense.
MUST_NOT = [
    ("tw-depositar", "臺灣高海拔山峰土壤溫度計維護照片", ["travelling-abroad"]),  # 維護|照片 holds 护照 "passport"
    ("tw-depositar", "國立嘉義大學校園安全地圖", ["starting-school"]),  # 大學|校園 holds 学校 "school"
    ("tw-depositar", "西來庵事件研究-事件造成的死亡人數", ["after-a-death"]),  # a 1915 uprising's death toll
    ("tw-depositar", "日治時期官設醫院分布圖", ["falling-ill"]),  # hospitals of the Japanese era
    ("tw-depositar", "前東港排水景山國小上游段治理工程", ["starting-school"]),  # drainage works near a school
    ("tw-depositar", "芹壁村的軍事遺產-馬祖的標語文化_ 吳孟霖〈原來，我們都忘了馬祖：一個馬祖大兵的青春紀事〉",
     ["settling-an-estate"]),  # 遺產: military heritage, not an inheritance
    ("tw-depositar", "Soundscapes in Yushan National Park, Taiwan", ["driving-a-vehicle"]),
    ("ca-asc-csa", "Condition of Employment of Astronauts", ["hiring-first-employee", "finding-first-job",
                                                            "changing-jobs"]),
    ("ca-asc-csa", "Canadian Healthcare in Deep Space", ["falling-ill"]),
    ("ca-asc-csa", "Planck Telescope", ["having-a-baby"]),  # the birth of the universe
    ("uk-data-gov-uk-legacy-2015", "Spend over £25,000 in 2gether NHS Foundation Trust", ["falling-ill"]),
    ("uk-data-gov-uk-legacy-2015",
     "Spending over £25,000 in Ashton, Leigh and Wigan Community Healthcare NHS Trust", ["falling-ill"]),
    ("br-dados-gov-br", "Solicitar porte de armas para policiais aposentados ou uso de arma pessoal em serviço",
     ["retiring"]),  # gun permits for retired police officers
    ("br-dados-gov-br", "SFN - CECM APOS PENS E IDOSOS - SICO", ["ageing-well", "retiring"]),  # a bank's accounts
    ("br-dados-gov-br", "Programa Mais Educação - PME e Programa Novo Mais Educação - PNME",
     ["seeking-startup-support"]),  # PME: the French for SMEs, here a Brazilian school programme
    ("br-dados-gov-br", "Gratificação Temporária de Atividade em Escola de Governo – GAEG", ["starting-school"]),
]  # fmt: skip
REASON = re.compile(r"^(title mentions|tags? '|groups? '|themes? '|description mentions)")


def _dataset_ids(driver: neo4j.Driver, portal: str, title: str) -> list[str]:
    """The datasets of ``portal`` with that title (a portal may have two)."""
    records, _, _ = driver.execute_query(
        "MATCH (d:Dataset) WHERE d.portal = $portal AND (d.title = $title OR d.titleEn = $title) RETURN d.id AS id",
        portal=portal, title=title,
    )  # fmt: skip
    assert records, (portal, title)
    return [str(r["id"]) for r in records]


def _links(driver: neo4j.Driver, dataset_id: str) -> dict[str, dict[str, Any]]:
    records, _, _ = driver.execute_query(
        "MATCH (:Dataset {id: $id})-[r:RELEVANT_TO]->(e:LifeEvent) RETURN e.id AS event, properties(r) AS link",
        id=dataset_id,
    )
    return {r["event"]: dict(r["link"]) for r in records}


def test_real_datasets_link_to_life_events_with_reasons_and_the_pinned_links_hold(clean_graph: neo4j.Driver) -> None:
    load_catalog(clean_graph, DEMO_CATALOG)
    load_all_shared(clean_graph)
    report = link_datasets(clean_graph)
    print("\n" + report.summary() + "\n" + "\n".join(report.table()))
    assert report.events_linked >= 12
    assert report.created == sum(counts.get("suggested", 0) for counts in report.by_event.values())
    records, _, _ = clean_graph.execute_query("MATCH ()-[r:RELEVANT_TO]->() RETURN properties(r) AS link")
    assert records
    for record in records:
        link = record["link"]
        assert (link["status"], link["method"]) == ("suggested", "keyword-v1")
        assert link["matchedTerms"] and link["score"] >= 3 and REASON.match(link["reason"]), link

    for portal, title, event, term in CORRECT:
        [dataset_id] = _dataset_ids(clean_graph, portal, title)
        links = _links(clean_graph, dataset_id)
        assert event in links, (title, sorted(links))
        assert term in links[event]["matchedTerms"] and term in links[event]["reason"], links[event]
    for portal, title, events in MUST_NOT:
        for dataset_id in _dataset_ids(clean_graph, portal, title):
            links = _links(clean_graph, dataset_id)
            assert not set(events) & set(links), (title, {e: links[e]["reason"] for e in set(events) & set(links)})

    again = link_datasets(clean_graph)
    assert (again.created, again.refreshed, again.removed) == (0, 0, 0)
    assert again.unchanged == report.created and again.by_event == report.by_event


def _set_status(driver: neo4j.Driver, dataset_id: str, event: str, status: str) -> None:
    """What a data officer's review through the API leaves on a link (see graph.link_review)."""
    driver.execute_query(
        "MATCH (:Dataset {id: $id})-[r:RELEVANT_TO]->(:LifeEvent {id: $event}) "
        "SET r.status = $status, r.reviewedBy = 'token-1', r.reviewedAt = '2025-03-01T00:00:00.000Z'",
        id=dataset_id, event=event, status=status,
    )  # fmt: skip


def test_a_data_officers_decisions_survive_relinking_and_reharvesting(clean_graph: neo4j.Driver) -> None:
    portal = "br-dados-gov-br"
    load_catalog(clean_graph, DEMO_CATALOG)
    records = records_of(shared_items(portal))
    load_snapshot(clean_graph, records, HarvestSource(portal=portal))
    link_datasets(clean_graph, portal=portal)
    by_title = {r.title(*r.languages): r for r in records}
    fies, bolsistas, assistance, prouni = (
        by_title[t] for t in ("Fundo de Financiamento Estudantil - FIES", "Bolsistas de Apoio Técnico ao "
                              "Desenvolvimento Institucional", "Assistência Estudantil",
                              "Programa Universidade para Todos - ProUni")
    )  # fmt: skip
    ids = {r.ckan_id: f"{portal}:{r.ckan_id}" for r in (fies, bolsistas, assistance, prouni)}
    _set_status(clean_graph, ids[fies.ckan_id], "financing-studies", "approved")
    _set_status(clean_graph, ids[bolsistas.ckan_id], "financing-studies", "rejected")
    clean_graph.execute_query(  # an officer adds a link the linker never suggested
        "MATCH (d:Dataset {id: $id}), (e:LifeEvent {id: 'graduating'}) "
        "CREATE (d)-[:RELEVANT_TO {status: 'approved', method: 'manual', score: 1.0, matchedTerms: []}]->(e)",
        id=ids[prouni.ckan_id],
    )
    scores = {key: _links(clean_graph, ids[key])["financing-studies"]["score"] for key in ids if key != prouni.ckan_id}

    again = link_datasets(clean_graph, portal=portal)
    assert (again.created, again.refreshed, again.removed) == (0, 0, 0)
    assert _links(clean_graph, ids[fies.ckan_id])["financing-studies"]["status"] == "approved"
    assert _links(clean_graph, ids[bolsistas.ckan_id])["financing-studies"]["status"] == "rejected"
    assert _links(clean_graph, ids[prouni.ckan_id])["graduating"]["method"] == "manual"

    # A re-harvest in which the first three lose the words that linked them: the load leaves every link alone ...
    def reworded(record: Any, title: str) -> Any:
        return dataclasses.replace(record, titles={"pt": title}, descriptions={}, tags={})

    changed = [reworded(fies, "Fundo F"), reworded(bolsistas, "Apoio técnico"), reworded(assistance, "Apoio A")]
    report = load_snapshot(clean_graph, changed, HarvestSource(portal=portal, mode="incremental"))
    assert report.updated == 3
    assert _links(clean_graph, ids[assistance.ckan_id])["financing-studies"]["status"] == "suggested"
    # ... and linking again removes only the suggestion; the officer's decisions stand, evidence or not.
    relinked = link_datasets(clean_graph, portal=portal)
    assert relinked.removed == 1 and relinked.created == 0
    assert "financing-studies" not in _links(clean_graph, ids[assistance.ckan_id])
    approved = _links(clean_graph, ids[fies.ckan_id])["financing-studies"]
    assert (approved["status"], approved["reviewedBy"]) == ("approved", "token-1")
    assert approved["score"] == scores[fies.ckan_id]
    assert _links(clean_graph, ids[bolsistas.ckan_id])["financing-studies"]["status"] == "rejected"
    assert _links(clean_graph, ids[prouni.ckan_id])["graduating"]["status"] == "approved"
    assert relinked.by_event["financing-studies"]["approved"] == 1
    assert relinked.by_event["financing-studies"]["rejected"] == 1


def test_withdrawn_datasets_keep_their_links(clean_graph: neo4j.Driver) -> None:
    portal = "uk-data-gov-uk"
    load_catalog(clean_graph, DEMO_CATALOG)
    records = records_of(shared_items(portal))
    load_snapshot(clean_graph, records, HarvestSource(portal=portal))
    link_datasets(clean_graph, portal=portal)
    food = next(r for r in records if r.title() == "Food Hygiene Ratings")
    dataset_id = f"{portal}:{food.ckan_id}"
    before = _links(clean_graph, dataset_id)
    assert "opening-a-restaurant" in before
    report = load_snapshot(clean_graph, [r for r in records if r is not food], HarvestSource(portal=portal))
    assert report.withdrawn == 1
    relinked = link_datasets(clean_graph, portal=portal)
    assert _links(clean_graph, dataset_id) == before
    assert relinked.by_event["opening-a-restaurant"].get("suggested", 0) == 2  # active datasets only


def test_the_link_command_prints_datasets_per_life_event(
    clean_graph: neo4j.Driver, test_settings: Settings, tmp_path: Path
) -> None:
    portal = "uk-data-gov-uk"
    load_catalog(clean_graph, DEMO_CATALOG)
    load_snapshot(clean_graph, records_of(shared_items(portal)), HarvestSource(portal=portal))
    done = subprocess.run(
        [sys.executable, "-m", "navigator", "link", "--portal", portal], capture_output=True, text=True,
        env=_cli_env(test_settings, tmp_path / "index"), cwd=PROJECT_ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{portal}: 3 of 9 datasets linked to 1 life events: 3 links suggested")
    assert re.fullmatch(r"\s+opening-a-restaurant\s+3\s+\(3 suggested\)", lines[1])
    assert any(re.fullmatch(r"\s+having-a-baby\s+0", line) for line in lines)
    records, _, _ = clean_graph.execute_query("MATCH (e:LifeEvent) RETURN count(e) AS events")
    event_lines = [line for line in lines[1:] if re.fullmatch(r"\s+[a-z-]+\s+\d+(\s+\(.*\))?", line)]
    assert len(event_lines) == records[0]["events"], done.stdout  # every life event, linked or not
