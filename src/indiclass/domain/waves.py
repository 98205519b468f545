"""Provider batch mode as the store keeps it: a batch runs in waves, each wave is one provider
batch per part (``provider_batches``), each part a list of requests, every one a short safe
``custom_id`` beside the call key its reply is stored under (``provider_batch_requests``).

A part's ``status`` moves forward only; each step records what it is about to do before it does
it, so a restart knows whether the provider may already have it::

    planned → uploading → uploaded → creating → submitted → ended → fetched
                                                            (or cancelled at any point)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from indiclass.domain.ports import WaveRef

PartStatus = Literal[
    "planned", "uploading", "uploaded", "creating", "submitted", "ended", "fetched", "cancelled"
]  # fmt: skip
OPEN = ("planned", "uploading", "uploaded", "creating", "submitted", "ended")
"""Statuses of a part whose results are not stored yet."""
SENT = ("submitted", "ended")
"""Statuses of a part the provider has (it can be polled, fetched, cancelled)."""


def wave_key(trace_id: str, wave: int, part: int) -> str:
    """``w`` + 16 hex digits: the same for the same (batch, wave, part) in every process."""
    raw = f"{trace_id}\x1f{wave}\x1f{part}"
    return "w" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def custom_id(key: str, n: int) -> str:
    """The ``n``-th request of part ``key``: ``[a-zA-Z0-9_-]{1,64}`` as both APIs require."""
    return f"{key}-{n}"


class WavePart(BaseModel):
    """One provider batch of a wave (a ``provider_batches`` row)."""

    model_config = ConfigDict(frozen=True)

    key: str
    trace_id: str
    epoch: int
    """The dispatch of the batch's waves workflow that planned it."""
    wave: int
    part: int
    stage: str
    provider: str
    model: str
    status: PartStatus
    requests: int
    first_custom_id: str
    provider_batch_id: str | None = None
    input_file_id: str | None = None
    provider_status: str | None = None
    succeeded: int = 0
    errored: int = 0
    expired: int = 0
    canceled: int = 0
    missing: int = 0
    polls: int = 0
    estimated_cost_usd: float | None = None
    cost_usd: float | None = None
    error: str | None = None
    created_at: datetime
    submitted_at: datetime | None = None
    ended_at: datetime | None = None
    fetched_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def ref(self, skew_s: float) -> WaveRef:
        """What the provider clients look for after a restart (``skew_s``: clock allowance)."""
        return WaveRef(
            key=self.key,
            requests=self.requests,
            first_custom_id=self.first_custom_id,
            since=self.created_at.timestamp() - skew_s,
        )


@dataclass(frozen=True)
class WaveRequest:
    """One request of a part (a ``provider_batch_requests`` row)."""

    key: str
    custom_id: str
    call_key: str
    trace_id: str
    indicator_id: str
    body: str | None = None
    """The request's JSON as sent (dropped once the results are stored)."""
    outcome: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class WaveOutcome:
    """What the results said of one request (written with the replies, in one transaction)."""

    custom_id: str
    outcome: str
    error: str | None = None
