"""The domain model: frozen dataclasses, aligned with CPSV-AP 3.2, and their one mapping to Neo4j properties.

Labels are singular PascalCase, relationship types UPPER_SNAKE verbs, properties camelCase. Node properties are
mapped here and only here (``*_from_props``), so no ``neo4j.Record`` leaves the graph package.

Relationships:
    (:LifeEvent)-[:PART_OF]->(:LifeStage)
    (:Service)-[:GROUPED_BY]->(:LifeEvent)            CPSV-AP isGroupedBy
    (:Service)-[:REQUIRES]->(:Evidence)               CPSV-AP hasInput (Evidence)
    (:Service)-[:PRODUCES]->(:Evidence)               CPSV-AP produces (Output)
    (:Service)-[:HAS_PREREQUISITE]->(:Service)        CPSV-AP requires (PublicService)
    (:Service)-[:PROVIDED_BY]->(:Agency)              CPSV-AP hasCompetentAuthority
    (:Service)-[:AVAILABLE_THROUGH]->(:Channel)       CPSV-AP hasChannel
    (:Service|LifeEvent)-[:HAS_CRITERION]->(:Criterion)    CPSV-AP holdsRequirement (CriterionRequirement)
    (:LifeEvent)-[:TRIGGERED_BY]->(:Criterion)
    (:Bundle)-[:INCLUDES]->(:Service), (:Bundle)-[:FOR_EVENT]->(:LifeEvent)

Open data (datasets harvested from CKAN portals; DCAT-AP in brackets). A dataset record
(:class:`opendata.records.DatasetRecord`) is mapped to properties in :mod:`graph.dataset_props`, loaded by
:mod:`graph.datasets` and linked to life events by :mod:`graph.linker`:
    (:Portal {id, url, title, ckanVersion, watermark, lastSuccessfulRunAt, lastRunId})          dcat:Catalog
    (:Dataset {id: "<portal>:<ckanId>", portal, ckanId, name, datasetType, title, titleZh, titleEn,
               titlesJson, description, descriptionsJson, licenceId, licenceTitle, licenceUrl, landingUrl,
               created, modified, harvestedAt, state: 'active'|'withdrawn', withdrawnAt, contentHash,
               loadVersion, themes, languages, temporalStart, temporalEnd, spatial, dcatJson, extrasJson})
                                                                                              dcat:Dataset
        provenance: portal + ckanId + licence + harvestedAt (the harvest that brought this content) + modified (the
        portal's metadata_modified); title is the record's primary title, titleZh zh-Hans (zh-Hant converted with
        OpenCC t2s), titleEn English; *Json are {language: text} maps as JSON; withdrawn datasets are never deleted
    (:Dataset)-[:FROM_PORTAL]->(:Portal)
    (:Dataset)-[:PUBLISHED_BY]->(:Organization {id: "<portal>:<ckan id or name>", portal, ckanId, name, title,
                                                titleZh, titlesJson})                         dct:publisher
    (:Dataset)-[:HAS_RESOURCE]->(:Resource {id: "<portal>:<ckan id>" or "<dataset id>#<n>", position, name,
                                            titlesJson, format, url, size, mediaType, modified})  dcat:distribution
    (:Dataset)-[:TAGGED]->(:Tag {id: "<lang>:<folded name>", name, lang})                      dcat:keyword
    (:Dataset)-[:IN_GROUP]->(:Group {id: "<portal>:<ckan id or name>", portal, ckanId, name, title, titlesJson})
                                                                                              dcat:theme
    (:Dataset)-[:RELEVANT_TO {status: 'suggested'|'approved'|'rejected', method: 'keyword-v1'|'manual', score,
                              matchedTerms, reason, suggestedAt}]->(:LifeEvent)
        written by the linker as 'suggested'; a data officer's review sets 'approved'/'rejected' (reviewedBy,
        reviewedAt), which re-linking and re-harvesting keep
    (:HarvestRun {id, portal, mode, source, startedAt, finishedAt, status: 'running'|'succeeded'|'failed', new,
                  updated, unchanged, withdrawn, rejected, rejectedReasonsJson, seconds, writes, watermark,
                  error})-[:HARVESTED]->(:Portal)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("zh", "en")
SITUATIONS = ("studying", "employed", "unemployed", "self-employed", "retired")
CHANNEL_KINDS = ("in-person", "online", "app", "phone", "post")
CRITERION_KINDS = ("age", "child-age", "situation", "disability", "partner", "region", "holds")
SERVICE_TYPES = ("registration", "certificate", "benefit", "permit", "insurance", "tax", "information", "other")


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A text in Simplified Chinese and English; either may be empty where it is not known."""

    zh: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``), falling back to the other language."""
        first, second = (self.zh, self.en) if lang.startswith("zh") else (self.en, self.zh)
        return first or second

    @classmethod
    def from_props(cls, props: Mapping[str, Any], stem: str) -> Text:
        return cls(zh=props.get(f"{stem}Zh") or "", en=props.get(f"{stem}En") or "")

    def to_props(self, stem: str) -> dict[str, str]:
        return {f"{stem}Zh": self.zh, f"{stem}En": self.en}


@dataclass(frozen=True, slots=True, kw_only=True)
class LifeStage:
    id: str
    order: int
    min_age: int | None
    max_age: int | None
    name: Text
    description: Text = field(default_factory=Text)


@dataclass(frozen=True, slots=True, kw_only=True)
class LifeEvent:
    id: str
    kind: str
    name: Text
    description: Text = field(default_factory=Text)
    stage_ids: tuple[str, ...] = ()
    criterion_ids: tuple[str, ...] = ()
    trigger_ids: tuple[str, ...] = ()
    sdgr_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Agency:
    id: str
    name: Text
    level: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    id: str
    name: Text
    description: Text = field(default_factory=Text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    id: str
    name: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Criterion:
    """An eligibility rule a profile is checked against; ``kind`` is one of ``CRITERION_KINDS``."""

    id: str
    kind: str
    description: Text
    min: int | None = None
    max: int | None = None
    values: tuple[str, ...] = ()
    flag: bool | None = None
    evidence_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Fee:
    amount: float = 0.0
    currency: str = "CNY"
    note: Text = field(default_factory=Text)

    @property
    def free(self) -> bool:
        return self.amount == 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    id: str
    name: Text
    description: Text = field(default_factory=Text)
    type: str = "other"
    agency_id: str | None = None
    event_ids: tuple[str, ...] = ()
    channel_ids: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    prerequisite_ids: tuple[str, ...] = ()
    criterion_ids: tuple[str, ...] = ()
    processing_days: int | None = None
    fee: Fee = field(default_factory=Fee)
    legal_basis: Text = field(default_factory=Text)
    online_url: str | None = None
    visits: int = 0
    source: str = "catalog"
    region: str | None = None

    @property
    def in_person(self) -> bool:
        return self.visits > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Bundle:
    id: str
    name: Text
    description: Text = field(default_factory=Text)
    event_id: str | None = None
    service_ids: tuple[str, ...] = ()
    window: Text = field(default_factory=Text)


# --- mapping to and from Neo4j node properties -------------------------------------------------------------------


def stage_to_props(stage: LifeStage) -> dict[str, Any]:
    return {
        "id": stage.id, "order": stage.order, "minAge": stage.min_age, "maxAge": stage.max_age,
        **stage.name.to_props("name"), **stage.description.to_props("description"),
    }


def stage_from_props(props: Mapping[str, Any]) -> LifeStage:
    return LifeStage(
        id=props["id"], order=int(props["order"]), min_age=props.get("minAge"), max_age=props.get("maxAge"),
        name=Text.from_props(props, "name"), description=Text.from_props(props, "description"),
    )


def event_to_props(event: LifeEvent) -> dict[str, Any]:
    return {
        "id": event.id, "kind": event.kind, "sdgrCode": event.sdgr_code,
        **event.name.to_props("name"), **event.description.to_props("description"),
    }


def event_from_props(
    props: Mapping[str, Any], stage_ids: tuple[str, ...] = (), criterion_ids: tuple[str, ...] = (),
    trigger_ids: tuple[str, ...] = (),
) -> LifeEvent:
    return LifeEvent(
        id=props["id"], kind=props.get("kind") or "life", name=Text.from_props(props, "name"),
        description=Text.from_props(props, "description"), stage_ids=stage_ids, criterion_ids=criterion_ids,
        trigger_ids=trigger_ids, sdgr_code=props.get("sdgrCode"),
    )


def agency_to_props(agency: Agency) -> dict[str, Any]:
    return {"id": agency.id, "level": agency.level, **agency.name.to_props("name")}


def agency_from_props(props: Mapping[str, Any]) -> Agency:
    return Agency(id=props["id"], name=Text.from_props(props, "name"), level=props.get("level"))


def evidence_to_props(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.id, "normName": normalise_name(evidence.name.zh or evidence.name.en),
        **evidence.name.to_props("name"), **evidence.description.to_props("description"),
    }


def evidence_from_props(props: Mapping[str, Any]) -> Evidence:
    return Evidence(
        id=props["id"], name=Text.from_props(props, "name"), description=Text.from_props(props, "description")
    )


def channel_from_props(props: Mapping[str, Any]) -> Channel:
    return Channel(id=props["id"], name=Text.from_props(props, "name"))


def criterion_to_props(criterion: Criterion) -> dict[str, Any]:
    return {
        "id": criterion.id, "kind": criterion.kind, "min": criterion.min, "max": criterion.max,
        "values": list(criterion.values), "flag": criterion.flag, "evidenceId": criterion.evidence_id,
        **criterion.description.to_props("description"),
    }


def criterion_from_props(props: Mapping[str, Any]) -> Criterion:
    return Criterion(
        id=props["id"], kind=props["kind"], description=Text.from_props(props, "description"),
        min=props.get("min"), max=props.get("max"), values=tuple(props.get("values") or ()),
        flag=props.get("flag"), evidence_id=props.get("evidenceId"),
    )


def service_to_props(service: Service) -> dict[str, Any]:
    return {
        "id": service.id, "type": service.type, "processingDays": service.processing_days,
        "feeAmount": service.fee.amount, "feeCurrency": service.fee.currency,
        **service.fee.note.to_props("feeNote"),
        "onlineUrl": service.online_url, "visits": service.visits, "source": service.source,
        "region": service.region,
        **service.name.to_props("name"), **service.description.to_props("description"),
        **service.legal_basis.to_props("legalBasis"),
    }


def service_from_props(props: Mapping[str, Any], **links: Any) -> Service:
    """Build a Service from node properties; ``links`` carries the relationship ids (``requires=…`` etc.)."""
    return Service(
        id=props["id"], name=Text.from_props(props, "name"), description=Text.from_props(props, "description"),
        type=props.get("type") or "other", processing_days=props.get("processingDays"),
        fee=Fee(
            amount=float(props.get("feeAmount") or 0), currency=props.get("feeCurrency") or "CNY",
            note=Text.from_props(props, "feeNote"),
        ),
        legal_basis=Text.from_props(props, "legalBasis"), online_url=props.get("onlineUrl"),
        visits=int(props.get("visits") or 0), source=props.get("source") or "catalog", region=props.get("region"),
        **{key: tuple(value) if isinstance(value, list | tuple) else value for key, value in links.items()},  # type: ignore[arg-type]
    )


def bundle_to_props(bundle: Bundle) -> dict[str, Any]:
    return {
        "id": bundle.id, **bundle.name.to_props("name"), **bundle.description.to_props("description"),
        **bundle.window.to_props("window"),
    }


def bundle_from_props(
    props: Mapping[str, Any], event_id: str | None = None, service_ids: tuple[str, ...] = ()
) -> Bundle:
    return Bundle(
        id=props["id"], name=Text.from_props(props, "name"), description=Text.from_props(props, "description"),
        window=Text.from_props(props, "window"), event_id=event_id, service_ids=service_ids,
    )


_NAME_PUNCTUATION = str.maketrans("", "", " \t\r\n　·•、，,。.；;：:（）()【】[]《》<>“”\"'‘’「」『』")


def normalise_name(name: str) -> str:
    """The key two document names share when they name the same thing: case, width and punctuation folded."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", name).casefold()
    return folded.translate(_NAME_PUNCTUATION)
