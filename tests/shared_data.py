"""Where the shared real data lives (``../shared/data`` beside the project), and what to do when it is absent.

Outside CI (a user's plain clone) a test that needs it skips with a clear message; with ``CI`` set its absence is a
failure, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data_dir() -> Path:
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    message = f"../shared/data is absent (looked in {SHARED_DATA}); these tests read the shared real data"
    if os.environ.get("CI"):
        pytest.fail(message + " and CI is set, so its absence is a failure")
    pytest.skip(message)
