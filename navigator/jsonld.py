"""Schema.org structured data for the pages: ``GovernmentService`` on service pages, ``Dataset`` on dataset pages.

The dictionaries built here are placed in ``<script type="application/ld+json">`` by ``json_script``, which escapes
them against ``</script>``; URLs taken from harvested data pass ``safe_url`` first.
"""

from __future__ import annotations

from typing import Any

from graph.reads_dataset_pages import DatasetView
from graph.reads_pages import ServiceView
from navigator.i18n import HTML_LANG
from navigator.pages_render import safe_url

__all__ = ["dataset_jsonld", "service_jsonld"]

_CHANNEL_TYPES = {"in-person": "ServiceChannel", "online": "ServiceChannel", "app": "ServiceChannel"}


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def service_jsonld(view: ServiceView, lang: str, page_url: str) -> dict[str, Any]:
    s = view.service
    channels = [
        _drop_empty({"@type": _CHANNEL_TYPES.get(c.id, "ServiceChannel"), "name": c.name.get(lang),
                     "serviceUrl": safe_url(s.online_url) if c.id in ("online", "app") else None})
        for c in view.channels
    ]
    offer = {"@type": "Offer", "price": f"{s.fee.amount:g}", "priceCurrency": s.fee.currency}
    return _drop_empty({
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "@id": page_url,
        "url": page_url,
        "identifier": s.id,
        "inLanguage": HTML_LANG[lang],
        "name": s.name.get(lang),
        "description": s.description.get(lang),
        "serviceType": s.type,
        "provider": _drop_empty({"@type": "GovernmentOrganization", "name": view.agency.name.get(lang)})
        if view.agency else None,
        "serviceOperator": _drop_empty({"@type": "GovernmentOrganization", "name": view.agency.name.get(lang)})
        if view.agency else None,
        "availableChannel": channels,
        "offers": offer,
        "termsOfService": s.legal_basis.get(lang),
        "serviceOutput": [{"@type": "Thing", "name": d.name.get(lang)} for d in view.produces],
    })


def dataset_jsonld(view: DatasetView, lang: str, page_url: str) -> dict[str, Any]:
    d = view.summary
    distributions = [
        _drop_empty({"@type": "DataDownload", "name": r.name, "contentUrl": safe_url(r.url),
                     "encodingFormat": r.format, "contentSize": str(r.size) if r.size is not None else None})
        for r in view.resources
    ]
    return _drop_empty({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": page_url,
        "url": safe_url(view.landing_url) or page_url,
        "identifier": view.ckan_id or d.id,
        "name": d.title.get(lang),
        "description": d.description.get(lang) or d.title.get(lang),
        "license": safe_url(view.licence_url) or view.licence_title or view.licence_id,
        "keywords": list(view.tags),
        "creator": _drop_empty({"@type": "Organization", "name": view.organization.get(lang)})
        if view.organization else None,
        "includedInDataCatalog": _drop_empty({"@type": "DataCatalog", "name": view.portal_title,
                                              "url": safe_url(view.portal_url)}) if view.portal_title else None,
        "dateCreated": view.created,
        "dateModified": view.modified,
        "sdDatePublished": view.harvested_at,
        "distribution": distributions,
    })
