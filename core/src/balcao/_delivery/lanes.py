"""Per-lane limits inside one worker: how many runs at once, and how many per second."""

from __future__ import annotations

import asyncio

__all__ = ["Lane"]


class Lane:
    """Counts runs in flight and spaces their starts at ``rate`` per second (a token
    bucket of one second's worth, so a burst never exceeds the channel's limit)."""

    def __init__(self, concurrency: int, rate: float | None) -> None:
        self.concurrency = max(concurrency, 1)
        self.rate = rate
        self.running = 0
        self._tokens = rate or 0.0
        self._stamp: float | None = None

    @property
    def room(self) -> int:
        return self.concurrency - self.running

    async def pace(self) -> None:
        """Wait for a token before a send."""
        if not self.rate:
            return
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if self._stamp is not None:
                self._tokens = min(self.rate, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                return
            await asyncio.sleep((1 - self._tokens) / self.rate)
