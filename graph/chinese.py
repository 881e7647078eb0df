"""Chinese text for the graph: Traditional → Simplified folding (OpenCC ``t2s``) and word boundaries (jieba).

Folding serves ``Dataset.titleZh`` and the linker, which matches one zh-Hans term list against Taiwan's zh-Hant text.
Word boundaries keep the linker from finding a term across two words (护照 "passport" inside 维护|照片 "maintenance
photos"). The converter and the segmenter are built once, on first use (their dictionaries take a moment to load),
never at import. Text without a Han character is returned as it is.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import jieba
from opencc import OpenCC

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_lock = threading.Lock()
_converter: list[OpenCC] = []
_segmenter: list[jieba.Tokenizer] = []


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


def _jieba() -> jieba.Tokenizer:
    if not _segmenter:
        with _lock:
            if not _segmenter:
                jieba.setLogLevel(logging.WARNING)  # it logs its dictionary loading at DEBUG otherwise
                tokenizer = jieba.Tokenizer()
                tokenizer.tmp_dir = str(Path(tempfile.gettempdir()) / "navigator-jieba")  # its dictionary cache
                Path(tokenizer.tmp_dir).mkdir(parents=True, exist_ok=True)
                tokenizer.initialize()
                _segmenter.append(tokenizer)
    return _segmenter[0]


@lru_cache(maxsize=16_384)
def word_boundaries(text: str) -> frozenset[int]:
    """The offsets in ``text`` where a word starts or ends (jieba's default mode, HMM off: deterministic)."""
    boundaries = {0, len(text)}
    for _word, start, end in _jieba().tokenize(text, HMM=False):
        boundaries.update((start, end))
    return frozenset(boundaries)
