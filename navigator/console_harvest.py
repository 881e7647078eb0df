"""Starting a harvest from the console: the same ``navigator harvest NAME`` the operators run, as a child process.

The harvest of a registered portal (fetch → snapshot → load → link, :func:`navigator.harvesting.harvest`) runs in a
process of its own, so a long harvest neither holds a web worker nor delays the app's shutdown; the console starts it
with the app's settings in its environment and returns at once. Its run shows on the portals page as ``running``,
then with its report. Output goes to ``var/log/harvest-<portal>.log``.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from navigator.settings import SETTINGS_DOC, Settings

__all__ = ["harvest_environment", "start_harvest"]

log = logging.getLogger(__name__)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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


def start_harvest(settings: Settings, portal: str) -> int:
    """Start ``navigator harvest PORTAL`` (a registered portal's name) in the background; returns its pid.

    A short-lived ``sh`` starts the harvest in a session of its own and exits at once, so the harvest is nobody's
    child here: it outlives a restart of the app and leaves no process for the app to reap.
    """
    log_dir = Path(settings.var_dir) / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"harvest-{_SAFE_NAME.sub('-', portal)}.log"
    done = subprocess.run(
        ["sh", "-c", '"$@" >>"$0" 2>&1 </dev/null & echo $!', str(log_path),
         sys.executable, "-m", "navigator", "harvest", portal],
        env=harvest_environment(settings), capture_output=True, text=True, timeout=30, check=True,
        start_new_session=True,
    )
    pid = int(done.stdout.strip())
    log.info("harvest of %s started (pid %d), output in %s", portal, pid, log_path)
    return pid
