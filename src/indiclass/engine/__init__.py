"""The durable batch engine on DBOS Transact: one workflow per indicator, one step per stage.

from indiclass.bootstrap import open_engine
with open_engine() as engine:
    trace_id = engine.submit(indicators, provider="rules")
    stats = engine.wait(trace_id)
"""

from indiclass.engine.engine import Engine, EngineOptions
from indiclass.engine.events import EventBus, ProgressEvent, Subscriber
from indiclass.engine.runtime import ProviderFactory, RunOptions
from indiclass.engine.system import APP_VERSION
from indiclass.engine.workflows import (
    BATCH_QUEUE,
    INDICATOR_QUEUE,
    batch_workflow_id,
    indicator_workflow_id,
)

__all__ = [
    "APP_VERSION",
    "BATCH_QUEUE",
    "INDICATOR_QUEUE",
    "Engine",
    "EngineOptions",
    "EventBus",
    "ProgressEvent",
    "ProviderFactory",
    "RunOptions",
    "Subscriber",
    "batch_workflow_id",
    "indicator_workflow_id",
]
