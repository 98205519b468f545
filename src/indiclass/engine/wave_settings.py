"""Settings of provider batch mode, from the environment (read by the worker that runs the waves,
once per workflow, and recorded with it: a recovered workflow polls as it did before).

=============================  =======  ====================================================
variable                       default  meaning
=============================  =======  ====================================================
INDICLASS_BATCH_POLL_S         30       first poll, seconds after a wave is submitted
INDICLASS_BATCH_POLL_GROWTH    1.5      each later poll waits this many times longer ...
INDICLASS_BATCH_POLL_MAX_S     300      ... up to this many seconds
INDICLASS_BATCH_RESUBMITS      2        an errored or expired request is sent again this often
INDICLASS_BATCH_GIVE_UP        sync     then: ``sync`` asks it synchronously (full price),
                                        ``fail`` fails its indicator with the reason
INDICLASS_BATCH_MAX_REQUESTS   10000    requests per provider batch (a bigger wave is split)
INDICLASS_BATCH_CLOCK_SKEW_S   300      allowance between our clock and the provider's when
                                        a restart looks for what it created before
=============================  =======  ====================================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeVar

from indiclass.domain.errors import ConfigError

GiveUp = Literal["sync", "fail"]
_GIVE_UP = ("sync", "fail")
T = TypeVar("T")


@dataclass(frozen=True)
class WaveSettings:
    first_poll_s: float = 30.0
    poll_growth: float = 1.5
    max_poll_s: float = 300.0
    resubmits: int = 2
    give_up: GiveUp = "sync"
    max_requests: int = 10_000
    clock_skew_s: float = 300.0

    @property
    def tries(self) -> int:
        """Provider-batch tries of one request before giving up on batches for it."""
        return 1 + self.resubmits

    def delays(self) -> Iterator[float]:
        """The waits before each poll: first, then growing, capped."""
        delay = self.first_poll_s
        while True:
            yield delay
            delay = min(delay * self.poll_growth, self.max_poll_s)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WaveSettings:
        return cls(**data)


def wave_settings(env: Mapping[str, str] | None = None) -> WaveSettings:
    """The settings from ``env`` (the process environment by default); ConfigError names a
    variable whose value is wrong."""
    env = os.environ if env is None else env
    d = WaveSettings()
    give_up: Any = _read(env, "INDICLASS_BATCH_GIVE_UP", str, "sync", _GIVE_UP.__contains__)
    return WaveSettings(
        first_poll_s=_read(env, "INDICLASS_BATCH_POLL_S", float, d.first_poll_s, _positive),
        poll_growth=_read(env, "INDICLASS_BATCH_POLL_GROWTH", float, d.poll_growth, _at_least_1),
        max_poll_s=_read(env, "INDICLASS_BATCH_POLL_MAX_S", float, d.max_poll_s, _positive),
        resubmits=_read(env, "INDICLASS_BATCH_RESUBMITS", int, d.resubmits, _not_negative),
        give_up=give_up,
        max_requests=_read(env, "INDICLASS_BATCH_MAX_REQUESTS", int, d.max_requests, _positive),
        clock_skew_s=_read(
            env, "INDICLASS_BATCH_CLOCK_SKEW_S", float, d.clock_skew_s, _not_negative
        ),
    )


def _read(
    env: Mapping[str, str], name: str, kind: Callable[[str], T], default: T, ok: Callable[[T], bool]
) -> T:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    value: T | None
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise ConfigError(f"{name}={raw!r} is not a valid value (default {default})")
    return value


def _positive(value: float) -> bool:
    return value > 0


def _not_negative(value: float) -> bool:
    return value >= 0


def _at_least_1(value: float) -> bool:
    return value >= 1
