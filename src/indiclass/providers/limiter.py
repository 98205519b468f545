"""Requests-per-minute and tokens-per-minute budget per (provider, model), shared by every
wrapper in the process and safe across threads.

A call reserves its estimated tokens before it is sent; when the reply reports the true usage
the reservation is corrected (``settle``). Budgets are over a sliding window (60 s by default).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class Ticket:
    at: float
    tokens: int


class Limiter:
    def __init__(
        self,
        rpm: int | None = None,
        tpm: int | None = None,
        *,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rpm, self.tpm, self.window_s = rpm, tpm, window_s
        self.clock, self.sleep = clock, sleep
        self._lock = threading.Lock()
        self._tickets: deque[Ticket] = deque()
        self.waits = 0
        """How many times a caller had to wait (for tests and stats)."""

    async def acquire(self, tokens: int) -> Ticket:
        """Wait until one more request of ``tokens`` fits the budget, then reserve it."""
        while True:
            with self._lock:
                now = self.clock()
                self._prune(now)
                if self._fits(tokens):
                    ticket = Ticket(now, tokens)
                    self._tickets.append(ticket)
                    return ticket
                wait = self._tickets[0].at + self.window_s - now
                self.waits += 1
            await self.sleep(max(wait, 0.001))

    def settle(self, ticket: Ticket, actual_tokens: int) -> None:
        """Replace the estimate with the tokens the server reported."""
        with self._lock:
            ticket.tokens = actual_tokens

    def used(self) -> tuple[int, int]:
        """(requests, tokens) inside the current window."""
        with self._lock:
            self._prune(self.clock())
            return len(self._tickets), sum(t.tokens for t in self._tickets)

    def _prune(self, now: float) -> None:
        while self._tickets and self._tickets[0].at <= now - self.window_s:
            self._tickets.popleft()

    def _fits(self, tokens: int) -> bool:
        if not self._tickets:
            return True  # an empty window always admits one call, however large
        if self.rpm is not None and len(self._tickets) >= self.rpm:
            return False
        return self.tpm is None or sum(t.tokens for t in self._tickets) + tokens <= self.tpm


_registry: dict[tuple[str, str], Limiter] = {}
_registry_lock = threading.Lock()


def limiter_for(provider: str, model: str, rpm: int | None, tpm: int | None) -> Limiter:
    """The process-wide limiter of (provider, model); budgets are updated to the latest given."""
    with _registry_lock:
        limiter = _registry.get((provider, model))
        if limiter is None:
            limiter = _registry[(provider, model)] = Limiter(rpm, tpm)
        limiter.rpm, limiter.tpm = rpm, tpm
        return limiter
