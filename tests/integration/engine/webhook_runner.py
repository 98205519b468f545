"""A batch with a callback in a subprocess, for the webhook kill -9 tests:

    python webhook_runner.py kill-before-start TRACE URL   # SIGKILL when the delivery would start
    python webhook_runner.py kill-in-step TRACE URL        # SIGKILL inside the POST step
    python webhook_runner.py restart TRACE URL             # start, deliver what is pending, exit

The kills land after the batch closed (its delivery row committed with the close) and before
any request left; ``restart`` prints the delivery row as JSON once it is no longer pending.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any

from engine_helpers import indicators

from indiclass.bootstrap import open_engine
from indiclass.engine import webhooks
from indiclass.settings import Settings


def _die(*_: Any, **__: Any) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)


def main(mode: str, trace_id: str, url: str) -> None:
    if mode == "kill-before-start":
        webhooks.start_delivery = _die  # type: ignore[assignment]
    elif mode == "kill-in-step":
        webhooks._post = _die  # type: ignore[assignment]
    with open_engine(Settings(), poll_interval_s=0.02) as engine:
        if mode != "restart":
            config = engine.resolve("rules").model_copy(update={"callback_url": url})
            engine.submit(indicators("w", 3), config=config, trace_id=trace_id)
            engine.wait(trace_id, timeout=60)
            time.sleep(60)  # the kill comes from the delivery
            raise SystemExit("not killed")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = engine.store.webhook_deliveries(trace_id)  # type: ignore[attr-defined]
            if rows and all(r["status"] != "pending" for r in rows):
                print(json.dumps(rows, default=str))
                return
            time.sleep(0.05)
        raise SystemExit("the delivery stayed pending")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
