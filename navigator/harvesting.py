"""Harvest orchestration: a CKAN portal (a URL or a registered name) or a dump file → snapshot → graph → links.

Used by ``navigator harvest`` and the data officers' console. One call, :func:`harvest`:

1. resolves what to harvest (:func:`resolve_target`): a registered portal by name (its URL and default language), or
   a URL or ``ckanapi dump datasets`` file given with a portal name and language;
2. reads from the graph where the portal's last successful run stopped (its watermark) and the ids of its active
   datasets;
3. harvests into ``<var>/snapshots/<portal>-<UTC timestamp>.jsonl``: a portal incrementally unless ``full`` (``fq``
   on ``metadata_modified`` since the watermark, and a cheap listing of ids to find deletions), a dump file whole;
4. loads the snapshot (:func:`graph.datasets.load_snapshot`): new, updated, unchanged, withdrawn and rejected (with
   reasons) are stored on the run's ``HarvestRun`` node, and the portal's watermark moves only in its last step;
5. links the portal's datasets to life events again when the load changed any, or when an earlier run's changes were
   never linked (a run interrupted after its load);
6. adds the snapshot, how the portal was read and the timings to the ``HarvestRun``;
7. when datasets changed, brings the search index up to date (:func:`navigator.search_feed.update_index_after_load`).

A fault (portal unreachable after retries, answers that are not CKAN's, a refused address, an unreadable file,
Neo4j failing) raises :class:`HarvestFailed`, whose message is a one-paragraph report saying what failed and what
state the graph is in. A harvest that fails before its load changes no dataset and leaves the watermark where it was.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import neo4j

from graph.errors import GraphError, NotFound
from graph.harvest_outcomes import annotate_run, links_pending, mark_linked, record_failed_harvest
from graph.harvest_runs import HarvestReport, Rejected, portal_state, utc_now
from graph.portals import RegisteredPortal, check_portal_name, get_portal
from navigator.errors import NavigatorError
from navigator.observability import count_harvest_run
from navigator.settings import Settings
from opendata.errors import OpendataError, PortalRefused
from opendata.harvest import HarvestResult, harvest_dump, harvest_to_snapshot
from opendata.languages import UNDETERMINED, normalise_language_key
from opendata.portal import PortalConfig
from opendata.retry import RetryPolicy
from opendata.snapshot import SnapshotReader, SnapshotWriter

if TYPE_CHECKING:
    from tqdm import tqdm

    from opendata.records import DatasetRecord

log = logging.getLogger(__name__)

SourceKind = Literal["portal", "dump"]
_GRAPH_FAILURES = (GraphError, neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError)
_URL_SCHEMES = ("http://", "https://")


class HarvestFailed(NavigatorError):
    """A harvest could not finish; the message is a one-paragraph report (what failed, the state of the graph, what
    to do next). ``run_id`` names the failed ``HarvestRun`` when one was recorded."""

    def __init__(self, message: str, *, run_id: str | None = None) -> None:
        super().__init__(message)
        self.run_id = run_id


@dataclass(frozen=True, slots=True, kw_only=True)
class HarvestTarget:
    """What to harvest: a portal's CKAN API (``kind="portal"``, ``source`` its URL) or a dump file."""

    portal: str
    source: str
    kind: SourceKind
    default_language: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HarvestOutcome:
    """One whole harvest: how the source was read, the load's report, the linking, and where the time went."""

    target: HarvestTarget
    snapshot: Path
    since: str | None
    method: str
    deletions_checked: bool
    report: HarvestReport
    linked: str | None
    """The linker's summary when the portal's datasets were linked again; None when nothing needed it."""
    harvest_seconds: float
    load_seconds: float
    link_seconds: float
    seconds: float

    def summary(self) -> str:
        """One line: the counts, the seconds of the whole run and its parts."""
        r = self.report
        skipped = f"; withdrawal skipped: {r.withdrawal_skipped}" if r.withdrawal_skipped else ""
        return (
            f"{r.portal}: {r.new} new, {r.updated} updated, {r.unchanged} unchanged, {r.withdrawn} withdrawn, "
            f"{r.rejected} rejected in {self.seconds:.2f} s ({r.mode}, {self.method}; harvest "
            f"{self.harvest_seconds:.2f} s, load {self.load_seconds:.2f} s, link {self.link_seconds:.2f} s){skipped}"
        )

    def lines(self, *, show_rejected: int = 20) -> list[str]:
        """The report as printed: the summary, the snapshot, the linking, then up to ``show_rejected`` reasons."""
        lines = [self.summary(), f"  snapshot: {self.snapshot}"]
        if self.since is not None:
            lines.append(f"  changes since: {self.since}")
        if self.target.kind == "portal" and not self.deletions_checked:
            lines.append("  deletions not checked: the portal's list of datasets looked incomplete")
        lines.append(f"  links: {self.linked}" if self.linked else "  links: nothing changed, not re-linked")
        lines += rejected_lines(self.report.rejected_reasons, show_rejected)
        return lines


def rejected_lines(reasons: list[Rejected], show: int) -> list[str]:
    """Up to ``show`` rejected records with their reasons, and how many more there were."""
    lines = [f"  rejected {item.ref}: {item.reason}" for item in reasons[:show]]
    if len(reasons) > show:
        lines.append(f"  … and {len(reasons) - show} more rejected")
    return lines


def is_url(source: str) -> bool:
    return source.lower().startswith(_URL_SCHEMES)


def portal_name_from_url(url: str) -> str:
    """A portal name made from a URL's host (``https://data.gov.uk/`` → ``data-gov-uk``)."""
    host = (urlsplit(url).hostname or "").lower()
    name = "-".join(part for part in "".join(c if c.isalnum() else " " for c in host).split())
    if not name:
        raise NavigatorError(f"cannot name a portal after {url!r}: give --portal NAME")
    return check_portal_name(name[:64])


def normalise_language(language: str) -> str:
    """A language code as the open-data records use it (``zh-Hant`` → ``zh-hant``, ``pt-BR`` → ``pt``)."""
    key = normalise_language_key(language)
    if key is None:
        raise NavigatorError(f"{language!r} is not a language code (e.g. en, pt, zh-Hant)")
    return key.code


def resolve_target(
    driver: neo4j.Driver, source: str | None, *, portal: str | None = None, language: str | None = None,
    database: str | None = None,
) -> HarvestTarget:  # fmt: skip
    """What :func:`harvest` reads: ``source`` a portal URL or a dump file (``portal`` names it, or for a URL its host
    does), or None for the registered portal ``portal``. ``language`` defaults to the registered portal's, else
    ``und`` (undetermined: text without a language tag is left to script detection), with a warning."""
    if source is None:
        if portal is None:
            raise NavigatorError("name a registered portal, or give a portal URL or a dump file")
        registered = _registered(driver, check_portal_name(portal), database)
        if registered is None:
            raise NavigatorError(
                f"no portal named {portal!r} is registered: add it with `navigator portals add {portal} URL "
                "--language L`, or give a URL or a dump file"
            )
        if not registered.url:
            raise NavigatorError(f"portal {portal!r} has no URL: register it with `navigator portals add`")
        source = registered.url
    if is_url(source):
        kind: SourceKind = "portal"
        name = check_portal_name(portal) if portal else portal_name_from_url(source)
    else:
        if not portal:
            raise NavigatorError("harvesting a dump file needs --portal NAME")
        if not Path(source).is_file():
            raise NavigatorError(f"no such dump file: {source}")
        kind, name = "dump", check_portal_name(portal)
    if language is None:
        registered = _registered(driver, name, database)
        language = registered.default_language if registered else None
    if not language:
        log.warning(
            "the language of portal %s's untranslated text is not known (give --language or register it with "
            "`navigator portals add`); text without a language tag is left to script detection",
            name,
        )
        language = UNDETERMINED
    return HarvestTarget(portal=name, source=source, kind=kind, default_language=normalise_language(language))


def _registered(driver: neo4j.Driver, name: str, database: str | None) -> RegisteredPortal | None:
    try:
        return get_portal(driver, name, database=database)
    except NotFound:
        return None


def snapshot_path(settings: Settings, portal: str, *, now: datetime | None = None) -> Path:
    """``<var>/snapshots/<portal>-<UTC timestamp>.jsonl`` (milliseconds, so runs never share a file)."""
    moment = now or datetime.now(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"
    return settings.var_dir / "snapshots" / f"{check_portal_name(portal)}-{stamp}.jsonl"


def harvest(
    settings: Settings, driver: neo4j.Driver, source: str | None, *, portal: str | None = None,
    default_language: str | None = None, full: bool = False, progress: bool = False, retry: RetryPolicy | None = None,
) -> HarvestOutcome:  # fmt: skip
    """Harvest ``source`` (a portal URL, a dump file, or None for the registered ``portal``) into the graph.

    See the module docstring for the steps. ``full`` reads every dataset instead of the changes since the last
    successful run; ``progress`` shows bars on stderr when stdout is a terminal; ``retry`` overrides the retry policy
    of portal requests. Raises :class:`HarvestFailed` with a one-paragraph report when the run cannot finish. Each
    run is counted in the metric ``navigator_harvest_runs_total`` (portal, ``ok`` or ``failed``).
    """
    database = settings.neo4j_database
    target = resolve_target(driver, source, portal=portal, language=default_language, database=database)
    try:
        outcome = _harvest(settings, driver, target, default_language, full, progress, retry)
    except BaseException:
        count_harvest_run(target.portal, "failed")
        raise
    count_harvest_run(target.portal, "ok")
    return outcome


def _harvest(
    settings: Settings, driver: neo4j.Driver, target: HarvestTarget, default_language: str | None, full: bool,
    progress: bool, retry: RetryPolicy | None,
) -> HarvestOutcome:
    started = time.perf_counter()
    database = settings.neo4j_database
    try:
        state = portal_state(driver, target.portal, database=database)
        unlinked = links_pending(driver, target.portal, database=database)
    except _GRAPH_FAILURES as e:
        raise HarvestFailed(_graph_down(target, e)) from e
    since = None if full or target.kind == "dump" else state.watermark
    snapshot = snapshot_path(settings, target.portal)
    try:
        result = _harvest_to_file(settings, target, snapshot, since=since, known=state.known, progress=progress,
                                  retry=retry)  # fmt: skip
    except (OpendataError, OSError, ValueError) as e:
        seconds = time.perf_counter() - started
        run_id = _record_failure(driver, target, since, e, seconds, database)
        raise HarvestFailed(harvest_failure_report(target, e, seconds, state.watermark, run_id), run_id=run_id) from e
    harvested = time.perf_counter()
    try:
        report = load_snapshot_file(
            driver, snapshot, database=database, portal_title=result.portal.site_title, progress=progress
        )
    except _GRAPH_FAILURES as e:
        raise HarvestFailed(_load_failed(target, snapshot, e)) from e
    loaded = time.perf_counter()
    try:
        linked = _link_if_needed(driver, target.portal, report, unlinked, database)
    except _GRAPH_FAILURES as e:
        raise HarvestFailed(_link_failed(target, report, e)) from e
    done = time.perf_counter()
    outcome = HarvestOutcome(
        target=target, snapshot=snapshot, since=since, method=result.method, deletions_checked=result.deletions_checked,
        report=report, linked=linked, harvest_seconds=harvested - started, load_seconds=loaded - harvested,
        link_seconds=done - loaded, seconds=done - started,
    )  # fmt: skip
    try:
        given = target.default_language if default_language is not None else None
        annotate_run(driver, report.run_id, _run_details(outcome), language=given, database=database)
    except _GRAPH_FAILURES as e:
        log.warning("could not add the timings to harvest run %s: %s", report.run_id, e)
    if report.new or report.updated or report.withdrawn or linked:
        from navigator.search_feed import update_index_after_load

        update_index_after_load(settings, driver, datasets=True)  # logs, never raises: the harvest has succeeded
    log.info("harvest %s", outcome.summary())
    return outcome


def _harvest_to_file(
    settings: Settings, target: HarvestTarget, snapshot: Path, *, since: str | None, known: dict[str, str],
    progress: bool, retry: RetryPolicy | None,
) -> HarvestResult:  # fmt: skip
    with progress_bar(progress, total=None, unit="datasets read") as bar:
        tick = None if bar is None else _tick(bar)
        if target.kind == "portal":
            config = PortalConfig(
                name=target.portal, url=target.source, default_language=target.default_language,
                allow_private=settings.harvest_allow_private, user_agent=settings.harvest_user_agent,
                connect_timeout=min(10.0, settings.harvest_timeout), read_timeout=settings.harvest_timeout,
                **({"retry": retry} if retry is not None else {}),
            )  # fmt: skip
            return harvest_to_snapshot(
                config, snapshot, since=since, known=known, max_workers=settings.harvest_concurrency, progress=tick
            )
        with SnapshotWriter(snapshot) as writer:
            result = harvest_dump(
                target.source, portal=target.portal, default_language=target.default_language, known=known,
                on_record=writer.write, progress=tick,
            )  # fmt: skip
            writer.commit(result.snapshot_header())
        return result


def _tick(bar: tqdm[Any]) -> Callable[[int, int | None], None]:
    def tick(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    return tick


def _link_if_needed(
    driver: neo4j.Driver, portal: str, report: HarvestReport, unlinked: bool, database: str | None
) -> str | None:
    """Link the portal's datasets when this run changed some or an earlier run's changes were never linked."""
    if not (report.new or report.updated or report.withdrawn or unlinked):
        return None
    from graph.linker import link_datasets

    up_to = utc_now()
    links = link_datasets(driver, portal=portal, database=database)
    mark_linked(driver, portal, up_to=up_to, database=database)
    return str(links.summary())


def _run_details(outcome: HarvestOutcome) -> dict[str, Any]:
    return {
        "snapshot": str(outcome.snapshot), "method": outcome.method, "since": outcome.since,
        "sourceKind": outcome.target.kind, "sourceUrl": outcome.target.source if outcome.target.kind == "portal"
        else None, "deletionsChecked": outcome.deletions_checked, "harvestSeconds": round(outcome.harvest_seconds, 3),
        "loadSeconds": round(outcome.load_seconds, 3), "linkSeconds": round(outcome.link_seconds, 3),
        "totalSeconds": round(outcome.seconds, 3), "linked": outcome.linked,
        "defaultLanguage": outcome.target.default_language,
    }  # fmt: skip


def _record_failure(
    driver: neo4j.Driver, target: HarvestTarget, since: str | None, error: Exception, seconds: float,
    database: str | None,
) -> str | None:  # fmt: skip
    try:
        return record_failed_harvest(
            driver, portal=target.portal, mode="full" if since is None else "incremental", source=target.source,
            url=target.source if target.kind == "portal" else None, error=f"{type(error).__name__}: {error}",
            seconds=round(seconds, 3), database=database,
        )  # fmt: skip
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as e:
        log.warning("could not record the failed harvest of %s: %s", target.portal, e)
        return None


def _what(target: HarvestTarget) -> str:
    if target.kind == "portal":
        return f"Harvest of portal {target.portal!r} from {target.source}"
    return f"Harvest of dump file {target.source} for portal {target.portal!r}"


def harvest_failure_report(
    target: HarvestTarget, error: Exception, seconds: float, watermark: str | None, run_id: str | None
) -> str:
    why = str(error).rstrip(".") or type(error).__name__
    if isinstance(error, PortalRefused):
        why += " (NAVIGATOR_HARVEST_ALLOW_PRIVATE=true allows portals on loopback or private addresses)"
    start = f"stays at {watermark}, so the next run starts from there" if watermark else "is still unset"
    recorded = f" The failed run is recorded as HarvestRun {run_id}." if run_id else ""
    again = f"`navigator harvest {target.portal}`" if target.kind == "portal" else "the same command"
    return (
        f"{_what(target)} failed after {seconds:.1f} s: {why}. Nothing was loaded: the graph keeps its previous "
        f"datasets and the portal's watermark {start}; no snapshot was written.{recorded} Run {again} again once the "
        "cause is fixed."
    )


def _load_failed(target: HarvestTarget, snapshot: Path, error: Exception) -> str:
    return (
        f"{_what(target)} was read into the snapshot {snapshot}, but writing it to the graph failed: {error}. The "
        "datasets written so far are whole and correct and the portal's watermark has not moved; run "
        f"`navigator load snapshot {snapshot}` or the harvest again to finish it."
    )


def _link_failed(target: HarvestTarget, report: HarvestReport, error: Exception) -> str:
    return (
        f"{_what(target)} loaded ({report.summary()}), but linking its datasets to life events failed: {error}. The "
        f"loaded datasets stay; the next harvest links them, or run `navigator link --portal {target.portal}`."
    )


def _graph_down(target: HarvestTarget, error: Exception) -> str:
    return (
        f"{_what(target)} did not start: Neo4j could not be read ({type(error).__name__}: {error}). Nothing was "
        "harvested or changed; start Neo4j (`navigator neo4j start`) and run it again."
    )


# --- loading a snapshot ---------------------------------------------------------------------------------------------


def snapshot_items(reader: SnapshotReader) -> Iterator[DatasetRecord | Rejected]:
    """A snapshot as the dataset loader takes it: the harvest's rejections, the records, then the bad lines."""
    for rejection in reader.header.rejected:
        yield Rejected(ref=rejection.ref, reason=rejection.reason)
    yield from reader
    for problem in reader.problems:
        yield Rejected(ref=f"line {problem.line}", reason=problem.reason)


def load_snapshot_file(
    driver: neo4j.Driver, path: Path, *, database: str | None = None, portal_title: str | None = None,
    progress: bool = False, batch_size: int | None = None,
) -> HarvestReport:  # fmt: skip
    """Load the snapshot at ``path`` into the graph (see :func:`graph.datasets.load_snapshot`)."""
    from graph.datasets import BATCH_SIZE, HarvestSource, load_snapshot

    with SnapshotReader(path) as reader:
        header = reader.header
        source = HarvestSource(
            portal=header.portal, mode=header.mode, source=str(path), harvested_at=header.harvested_at,
            portal_url=header.portal_url, portal_title=portal_title, ckan_version=header.ckan_version,
            watermark=header.watermark, deleted_ids=header.deleted_ids,
        )  # fmt: skip
        with progress_bar(progress, total=header.record_count + len(header.rejected), unit="datasets loaded") as bar:
            return load_snapshot(
                driver, snapshot_items(reader), source, database=database, batch_size=batch_size or BATCH_SIZE,
                progress=None if bar is None else lambda done: bar.update(done - bar.n),
            )  # fmt: skip


@contextlib.contextmanager
def progress_bar(wanted: bool, *, total: int | None, unit: str) -> Iterator[tqdm[Any] | None]:
    """A tqdm bar on stderr when ``wanted`` and stdout is a terminal; otherwise None."""
    if not wanted or not sys.stdout.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=f" {unit}", leave=False, file=sys.stderr) as bar:
        yield bar
