"""Traditional → Simplified Chinese folding (OpenCC ``t2s``), so one zh-Hans form serves both scripts.

Used for ``Dataset.titleZh`` and by the linker, which matches one zh-Hans term list against Taiwan's zh-Hant text.
The converter is built once, on first use (its dictionaries take a moment to load), never at import. Text without a
Han character is returned as it is, without a trip through OpenCC.
"""

from __future__ import annotations

import re
import threading

from opencc import OpenCC

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_lock = threading.Lock()
_converter: list[OpenCC] = []


def has_han(text: str) -> bool:
    """True when ``text`` holds at least one Han character."""
    return _HAN.search(text) is not None


def to_simplified(text: str) -> str:
    """``text`` with Traditional characters converted to Simplified (OpenCC ``t2s``); other text unchanged."""
    if not text or not has_han(text):
        return text
    if not _converter:
        with _lock:
            if not _converter:
                _converter.append(OpenCC("t2s"))
    return str(_converter[0].convert(text))
