"""Keep citizens' data out of the logs, whatever the log level.

Our own code never logs a journey's input. The Neo4j driver, though, logs every query it sends *with its
parameters* at DEBUG (``neo4j.io``: ``C: RUN 'MATCH …' {'eventIds': [...]}``), and a journey's parameters derive
from a person's profile (the life events chosen or inferred). :func:`protect_logs` puts a filter on that logger
that keeps the line but drops the query and its parameters. The web app installs it at start-up.
"""

from __future__ import annotations

import logging

__all__ = ["QueryParameterRedaction", "protect_logs"]

_DRIVER_IO_LOGGER = "neo4j.io"


class QueryParameterRedaction(logging.Filter):
    """Rewrites the Neo4j driver's ``C: RUN`` (and ``S: FAILURE``) debug lines without their query data."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        for marker in ("C: RUN", "S: FAILURE"):
            if marker in message:
                port = record.args[0] if isinstance(record.args, tuple) and record.args else 0
                record.msg = f"[#%04X]  {marker} (query and parameters not logged)"
                record.args = (port,)
        return True


def protect_logs() -> None:
    """Install the redaction on the driver's I/O logger (once; calling again changes nothing)."""
    logger = logging.getLogger(_DRIVER_IO_LOGGER)
    if not any(isinstance(f, QueryParameterRedaction) for f in logger.filters):
        logger.addFilter(QueryParameterRedaction())
