"""The ``navigator`` command: Neo4j, migrations, loading, harvesting, search index, tokens and the web server.

Each sub-command is a small function ``cmd_*`` taking the parsed arguments and the settings; errors of our packages
are printed as one clear line (exit 1), never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import GraphError
from navigator.errors import NavigatorError
from navigator.settings import Settings
from opendata.errors import OpendataError

if TYPE_CHECKING:
    import neo4j
    from tqdm import tqdm

    from graph.harvest_runs import HarvestReport, Rejected
    from navigator.search import IndexReport
    from opendata.records import DatasetRecord
    from opendata.snapshot import SnapshotReader

log = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, Settings], int]


def cmd_neo4j(args: argparse.Namespace, settings: Settings) -> int:
    from navigator import neo4j_server

    if args.action == "install":
        path = neo4j_server.install(settings)
        print(f"Neo4j jars resolved; classpath in {path}")
        return 0
    if args.action == "stop":
        stopped = neo4j_server.stop(settings)
        print("Neo4j stopped" if stopped else "Neo4j was not running")
        return 0
    state = neo4j_server.start(settings) if args.action == "start" else neo4j_server.status(settings)
    if not state.running:
        print(f"Neo4j is not running ({state.uri})")
        return 3
    owner = "project-managed" if state.managed else "external"
    pid = f", pid {state.pid}" if state.pid else ""
    print(f"Neo4j {state.version} {state.edition} running at {state.uri} ({owner}{pid})")
    return 0


def cmd_graph(args: argparse.Namespace, settings: Settings) -> int:
    from graph.migrations import migrate, pending_migrations
    from navigator.database import open_driver

    with open_driver(settings) as driver:
        if args.action == "migrate":
            applied = migrate(driver, settings.neo4j_database)
            print(f"migrations applied: {', '.join(applied)}" if applied else "migrations: up to date")
        else:
            pending = pending_migrations(driver, settings.neo4j_database)
            print(f"pending migrations: {', '.join(pending)}" if pending else "migrations: up to date")
    return 0


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    if args.what == "snapshot":
        return cmd_load_snapshot(args, settings)
    from graph.catalog import DEMO_CATALOG
    from graph.loader import LoadReport
    from graph.migrations import migrate
    from navigator.database import open_driver

    with open_driver(settings) as driver:
        migrate(driver, settings.neo4j_database)
        report: LoadReport
        if args.what == "catalog":
            from graph.loader import load_catalog

            report = load_catalog(driver, Path(args.path) if args.path else DEMO_CATALOG, settings.neo4j_database)
        elif args.what == "service-items":
            from graph.service_items import load_service_items

            report = load_service_items(driver, Path(args.path), settings.neo4j_database)
        else:
            raise NavigatorError(f"cannot load {args.what!r}")
        indexed = _update_search(settings, driver, catalog=True)
    print(report.summary())
    for _, reason in report.rejected_items[: args.show_rejected]:
        print(f"  rejected: {reason}")
    if len(report.rejected_items) > args.show_rejected:
        print(f"  … and {len(report.rejected_items) - args.show_rejected} more rejected")
    _print_index(indexed)
    return 0


def _update_search(
    settings: Settings, driver: neo4j.Driver, *, catalog: bool = False, datasets: bool = False
) -> IndexReport | None:
    """Bring the search index up to date after a load (see :func:`navigator.search_feed.update_index_after_load`)."""
    from navigator.search_feed import update_index_after_load

    return update_index_after_load(settings, driver, catalog=catalog, datasets=datasets)


def _print_index(report: IndexReport | None) -> None:
    from navigator.search_feed import describe

    print(describe(report) if report is not None else "search index not updated: run `navigator index update`")


# --- open data: snapshots, harvests, linking ------------------------------------------------------------------------


def snapshot_items(reader: SnapshotReader) -> Iterator[DatasetRecord | Rejected]:
    """A snapshot as the dataset loader takes it: the harvest's rejections, the records, then the bad lines."""
    from graph.harvest_runs import Rejected

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
    from opendata.snapshot import SnapshotReader

    with SnapshotReader(path) as reader:
        header = reader.header
        source = HarvestSource(
            portal=header.portal, mode=header.mode, source=str(path), harvested_at=header.harvested_at,
            portal_url=header.portal_url, portal_title=portal_title, ckan_version=header.ckan_version,
            watermark=header.watermark, deleted_ids=header.deleted_ids,
        )  # fmt: skip
        with _progress_bar(progress, total=header.record_count + len(header.rejected), unit="datasets") as bar:
            return load_snapshot(
                driver, snapshot_items(reader), source, database=database, batch_size=batch_size or BATCH_SIZE,
                progress=None if bar is None else lambda done: bar.update(done - bar.n),
            )  # fmt: skip


@contextlib.contextmanager
def _progress_bar(wanted: bool, *, total: int | None, unit: str) -> Iterator[tqdm[Any] | None]:
    """A tqdm bar on stderr when ``wanted`` and stdout is a terminal; otherwise None."""
    if not wanted or not sys.stdout.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=f" {unit}", leave=False, file=sys.stderr) as bar:
        yield bar


def _print_rejected(reasons: Sequence[Rejected], show: int) -> None:
    for item in reasons[:show]:
        print(f"  rejected {item.ref}: {item.reason}")
    if len(reasons) > show:
        print(f"  … and {len(reasons) - show} more rejected")


def cmd_load_snapshot(args: argparse.Namespace, settings: Settings) -> int:
    from graph.migrations import migrate
    from navigator.database import open_driver

    with open_driver(settings) as driver:
        migrate(driver, settings.neo4j_database)
        report = load_snapshot_file(
            driver, Path(args.path), database=settings.neo4j_database, progress=True, batch_size=args.batch_size
        )
        indexed = _update_search(settings, driver, datasets=True)
    print(report.summary())
    _print_rejected(report.rejected_reasons, args.show_rejected)
    _print_index(indexed)
    return 0


def cmd_link(args: argparse.Namespace, settings: Settings) -> int:
    from graph.linker import link_datasets
    from graph.migrations import migrate
    from navigator.database import open_driver

    with open_driver(settings) as driver:
        migrate(driver, settings.neo4j_database)
        report = link_datasets(driver, portal=args.portal, database=settings.neo4j_database)
        indexed = _update_search(settings, driver, datasets=True)
    print(report.summary())
    for line in report.table():
        print(f"  {line}")
    _print_index(indexed)
    return 0


def cmd_harvest(args: argparse.Namespace, settings: Settings) -> int:
    """``harvest NAME`` (a registered portal), ``harvest URL`` or ``harvest DUMP.jsonl`` (see navigator.harvesting)."""
    from graph.migrations import migrate
    from navigator.database import open_driver
    from navigator.harvesting import harvest, is_url

    source: str | None = args.source
    if source is not None and not is_url(source) and not Path(source).exists() and args.portal is None:
        source, portal = None, args.source  # the name of a registered portal
    else:
        portal = args.portal
    with open_driver(settings) as driver:
        migrate(driver, settings.neo4j_database)
        outcome = harvest(
            settings, driver, source, portal=portal, default_language=args.language, full=args.full, progress=True
        )
    print("\n".join(outcome.lines(show_rejected=args.show_rejected)))
    return 0


def cmd_portals(args: argparse.Namespace, settings: Settings) -> int:
    """``portals add NAME URL --language L`` registers a portal to harvest by name; ``portals list`` shows them."""
    from graph.migrations import migrate
    from graph.portals import list_portals, register_portal
    from navigator.database import open_driver
    from navigator.harvesting import normalise_language

    with open_driver(settings) as driver:
        migrate(driver, settings.neo4j_database)
        if args.action == "add":
            if not args.name or not args.url or not args.language:
                raise NavigatorError("portals add needs NAME URL --language L")
            portal = register_portal(
                driver, args.name, args.url, normalise_language(args.language), database=settings.neo4j_database
            )
            print(f"portal {portal.name} registered: {portal.url} (language {portal.default_language})")
            return 0
        portals = list_portals(driver, database=settings.neo4j_database)
    if not portals:
        print("no portals yet: add one with `navigator portals add NAME URL --language L`")
    for p in portals:
        title = f" — {p.title}" if p.title else ""
        print(f"{p.name}{title}")
        print(f"  url {p.url or '(none: loaded from dump files)'}, language {p.default_language or '(not set)'}")
        print(
            f"  {p.active} active, {p.withdrawn} withdrawn datasets; last successful run "
            f"{p.last_successful_run_at or 'never'}; watermark {p.watermark or '(none)'}"
        )
    return 0


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    """``index rebuild`` builds the search index anew from the graph (swapped in whole); ``index update`` brings it
    up to date (catalog replaced, changed datasets written again); ``index status`` shows its size."""
    from navigator import search_feed
    from navigator.database import open_driver
    from navigator.search import open_index

    if args.action == "status":
        with open_index(settings.search_index_dir, create=False) as index:
            print(f"search index {index.generation} in {settings.search_index_dir}: {index.doc_count()} documents")
        return 0
    with (
        open_driver(settings) as driver,
        open_index(settings.search_index_dir, lock_timeout=search_feed.WRITER_WAIT) as index,
    ):
        database = settings.neo4j_database
        if args.action == "rebuild":
            report = search_feed.rebuild_index(index, driver, database)
        else:
            catalog = search_feed.update_catalog(index, driver, database)
            datasets = search_feed.sync_datasets(index, driver, database)
            report = search_feed.merge_reports(catalog, datasets)
    print(search_feed.describe(report))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from navigator.serving import run_server

    run_server(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_tokens(args: argparse.Namespace, settings: Settings) -> int:
    from graph.access import Scope, create_token, list_tokens, revoke_token
    from graph.migrations import migrate
    from navigator.database import open_driver

    with open_driver(settings) as driver:
        migrate(driver, settings.neo4j_database)
        if args.action == "create":
            try:
                scope = Scope.parse(args.scope)
                token, secret = create_token(driver, name=args.name, scope=scope, database=settings.neo4j_database)
            except ValueError as e:
                raise NavigatorError(str(e)) from e
            print(f"token {token.id} ({token.name!r}, scope {token.scope}) created; it is shown only this once:")
            print(secret)
        elif args.action == "list":
            for token in list_tokens(driver, settings.neo4j_database):
                state = f"revoked {token.revoked_at}" if token.revoked_at else "active"
                print(f"{token.id}  {token.scope}  {token.name!r}  created {token.created_at}  {state}")
        else:
            revoked = revoke_token(driver, args.id, database=settings.neo4j_database)
            if revoked is None:
                raise NavigatorError(f"no API token with id {args.id!r}")
            print(f"token {revoked.id} revoked at {revoked.revoked_at}")
    return 0


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from navigator.schema import SCHEMA_FILE, schema_sdl, write_schema_file

    if args.check:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.is_file() else ""
        if current != schema_sdl():
            print(f"{SCHEMA_FILE.name} is stale: run `navigator schema`", file=sys.stderr)
            return 1
        print(f"{SCHEMA_FILE.name}: up to date")
        return 0
    print(f"{SCHEMA_FILE.name}: {'written' if write_schema_file() else 'up to date'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="navigator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("neo4j", help="install, start, stop or check the project's own Neo4j")
    p.add_argument("action", choices=["install", "start", "stop", "status"])
    p.set_defaults(func=cmd_neo4j)

    p = sub.add_parser("graph", help="schema migrations")
    p.add_argument("action", choices=["migrate", "status"])
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser("load", help="load a catalog, service items or an open-data snapshot into the graph")
    p.add_argument("what", choices=["catalog", "service-items", "snapshot"])
    p.add_argument(
        "path", nargs="?", help="catalog folder/file (default: the demo catalog), service-items file or snapshot"
    )
    p.add_argument("--show-rejected", type=int, default=20, help="how many rejected items to list")
    p.add_argument("--batch-size", type=int, help="datasets per transaction when loading a snapshot (default 1000)")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("link", help="link datasets to life events again; prints datasets per life event")
    p.add_argument("--portal", help="only this portal's datasets")
    p.set_defaults(func=cmd_link)

    p = sub.add_parser("harvest", help="harvest a CKAN portal or a `ckanapi dump` file, then load and link it")
    p.add_argument("source", help="a registered portal's NAME, a portal URL (https://…) or a JSON-lines dump file")
    p.add_argument("--portal", help="portal name for a URL or dump file (default for a URL: from its host)")
    p.add_argument("--language", help="language of the portal's untranslated text, e.g. en, pt, zh-Hant")
    p.add_argument("--full", action="store_true", help="harvest everything, not only what changed since last time")
    p.add_argument("--show-rejected", type=int, default=20, help="how many rejected records to list")
    p.set_defaults(func=cmd_harvest)

    p = sub.add_parser("portals", help="register CKAN portals to harvest by name, list them")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("name", nargs="?", help="portal name (add)")
    p.add_argument("url", nargs="?", help="the portal's URL (add)")
    p.add_argument("--language", help="language of the portal's untranslated text (add), e.g. en, pt, zh-Hant")
    p.set_defaults(func=cmd_portals)

    p = sub.add_parser("index", help="the search index: rebuild it from the graph, update it, or show its status")
    p.add_argument("action", choices=["rebuild", "update", "status"])
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("serve", help="serve the web app and GraphQL API")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("tokens", help="API tokens of data officers: create (printed once), list, revoke")
    tokens = p.add_subparsers(dest="action", required=True)
    t = tokens.add_parser("create", help="create a token and print it once (only its hash is stored)")
    t.add_argument("--name", required=True, help="who or what the token is for")
    t.add_argument("--scope", required=True, help="all, portal:<id> or organization:<id>")
    tokens.add_parser("list", help="list tokens (never the tokens themselves)")
    t = tokens.add_parser("revoke", help="revoke a token by its id")
    t.add_argument("id")
    p.set_defaults(func=cmd_tokens)

    p = sub.add_parser("schema", help="write the GraphQL schema to schema.graphql (or --check it is current)")
    p.add_argument("--check", action="store_true", help="exit 1 when schema.graphql is stale, write nothing")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        # Commands print their own one-line summaries; their logs show only warnings unless a level is asked for.
        quiet = args.command != "serve" and "NAVIGATOR_LOG_LEVEL" not in os.environ
        logging.basicConfig(level="WARNING" if quiet else settings.log_level,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if args.command == "load" and args.what in ("service-items", "snapshot") and not args.path:
            parser.error(f"load {args.what} needs a FILE")
        result: int = args.func(args, settings)
        return result
    except (NavigatorError, GraphError, OpendataError) as e:
        print(f"navigator: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("navigator: interrupted", file=sys.stderr)
        return 130
