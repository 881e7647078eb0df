"""Starting a harvest from the console: the same ``navigator harvest`` the operators run, as a child process.

The harvest (fetch → snapshot → load → link) is the CLI's; the console starts it detached with the app's settings in
its environment and returns at once. Its run shows on the portals page as ``running``, then with its report. Output
goes to ``var/log/harvest-<portal>.log``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from pathlib import Path

from navigator.settings import SETTINGS_DOC, Settings

__all__ = ["harvest_environment", "start_harvest"]

log = logging.getLogger(__name__)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_RUNNING: set[asyncio.Task[int]] = set()


def harvest_environment(settings: Settings) -> dict[str, str]:
    """The process environment with every setting of ``settings`` spelled out, so the child uses the same Neo4j."""
    env = dict(os.environ)
    for spec in SETTINGS_DOC:
        value = getattr(settings, spec.attr)
        if value is None:
            env.pop(spec.env, None)
        elif isinstance(value, bool):
            env[spec.env] = "true" if value else "false"
        else:
            env[spec.env] = str(value)
    env["NAVIGATOR_NEO4J_URI"] = settings.bolt_uri
    return env


async def start_harvest(settings: Settings, portal: str, url: str) -> None:
    """Start ``navigator harvest URL --portal PORTAL`` in the background."""
    log_dir = Path(settings.var_dir) / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"harvest-{_SAFE_NAME.sub('-', portal)}.log"
    with log_path.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "navigator", "harvest", url, "--portal", portal,
            stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
            env=harvest_environment(settings), start_new_session=True,
        )
    waiter = asyncio.create_task(process.wait())  # reap the child when it ends
    _RUNNING.add(waiter)
    waiter.add_done_callback(_RUNNING.discard)
    log.info("harvest of %s started (pid %d), output in %s", portal, process.pid, log_path)
