"""The ``navigator`` command: Neo4j, migrations, loading, harvesting, search index, tokens and the web server.

Each sub-command is a small function ``cmd_*`` taking the parsed arguments and the settings; errors of our packages
are printed as one clear line (exit 1), never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from graph.errors import GraphError
from navigator.errors import NavigatorError
from navigator.settings import Settings
from opendata.errors import OpendataError

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
    print(report.summary())
    for _, reason in report.rejected_items[: args.show_rejected]:
        print(f"  rejected: {reason}")
    if len(report.rejected_items) > args.show_rejected:
        print(f"  … and {len(report.rejected_items) - args.show_rejected} more rejected")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    uvicorn.run(
        "navigator.app:create_app", factory=True, host=args.host or settings.host, port=args.port or settings.port,
        workers=args.workers or settings.workers, log_level=settings.log_level.lower(), access_log=False,
        timeout_graceful_shutdown=30,
    )
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

    p = sub.add_parser("load", help="load a catalog or service items into the graph")
    p.add_argument("what", choices=["catalog", "service-items"])
    p.add_argument("path", nargs="?", help="catalog folder/file (default: the demo catalog) or service-items file")
    p.add_argument("--show-rejected", type=int, default=20, help="how many rejected items to list")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("serve", help="serve the web app and GraphQL API")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int)
    p.set_defaults(func=cmd_serve)
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
        if args.command == "load" and args.what == "service-items" and not args.path:
            parser.error("load service-items needs a FILE")
        result: int = args.func(args, settings)
        return result
    except (NavigatorError, GraphError, OpendataError) as e:
        print(f"navigator: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("navigator: interrupted", file=sys.stderr)
        return 130
