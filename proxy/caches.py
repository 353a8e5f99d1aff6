"""Bounded in-process caches: plain dicts that drop their oldest eighth when full.

FIFO, not LRU: bounded and cheap, and an entry still in use comes back on its next miss. The
eviction reads the keys in one C call and removes them with `pop`, so a worker thread using the
same cache (pruning plans large conversations off the event loop) never trips over it.
"""
from __future__ import annotations

from typing import Any


def put_bounded(cache: dict[Any, Any], key: Any, value: Any, max_entries: int) -> None:
    if len(cache) >= max_entries:
        for k in list(cache)[: max_entries // 8]:
            cache.pop(k, None)
    cache[key] = value
