"""One computation at a time, reused for a while: a crawler hitting the public figures
costs no more database work than one visitor."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["FigureCache"]

T = TypeVar("T")


class FigureCache(Generic[T]):
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._lock = asyncio.Lock()
        self._key: Hashable = None
        self._value: T | None = None
        self._expires = 0.0

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """The value for ``key``, loaded again when stale; concurrent callers wait for one load."""
        if self._fresh(key):
            return self._value  # type: ignore[return-value]
        async with self._lock:
            if not self._fresh(key):
                self._value = await load()
                self._key, self._expires = key, self._clock() + self._seconds
        return self._value  # type: ignore[return-value]

    def _fresh(self, key: Hashable) -> bool:
        return self._value is not None and key == self._key and self._clock() < self._expires
