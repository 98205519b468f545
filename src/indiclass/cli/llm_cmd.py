"""``indiclass fake-llm``: the project's fake LLM server (OpenAI + Anthropic wire formats)."""

from __future__ import annotations

import typer

from indiclass.testing.fake_batches import BatchSettings
from indiclass.testing.fake_llm import FakeLLMServer, Fault, cache_minimum
from indiclass.testing.prompt_cache import CacheMinimum
from indiclass.testing.routing import HTTPError

FAULT_KINDS = (
    "429", "500", "slow", "invalid_json", "out_of_enum", "truncated", "empty", "batch_error",
    "batch_expired",
)  # fmt: skip
"""Every fault kind but ``reply`` (its text is given through Python or the admin route)."""
FAULT_HELP = (
    f"Scripted fault KIND[:TIMES[:STAGE]], repeatable. KIND: {', '.join(FAULT_KINDS)} (the "
    "batch_* kinds hit only requests inside a batch); TIMES -1 = always (default 1); e.g. "
    "--fault 429:3 --fault out_of_enum:5:type"
)

CACHE_HELP = (
    "Smallest prompt the fake reports cached tokens for: N tokens for every model (0 = any "
    "repeated prefix), 'per-model' (the providers' minimums: 1024, 2048 for Haiku-class), or 'off'."
)


def register(app: typer.Typer) -> None:
    app.command("fake-llm")(fake_llm_command)


def fake_llm_command(
    port: int = typer.Option(8765, help="Port on 127.0.0.1 (0 = any free port)."),
    latency_ms: int = typer.Option(0, "--latency-ms", help="Delay added to every reply."),
    fault: list[str] = typer.Option([], "--fault", help=FAULT_HELP),
    cache_min_tokens: str = typer.Option("0", "--cache-min-tokens", help=CACHE_HELP),
    batch_delay_s: float = typer.Option(
        0.0, "--batch-delay-s", help="Seconds until a batch ends (0: on the next retrieve)."
    ),
    batch_error_rate: float = typer.Option(
        0.0, "--batch-error-rate", help="Share of batch requests answered with a 500."
    ),
    batch_expire_rate: float = typer.Option(
        0.0, "--batch-expire-rate", help="Share of batch requests that expire."
    ),
    batch_shuffle: bool = typer.Option(
        False, "--batch-shuffle", help="Batch results in a random order."
    ),
) -> None:
    """Serve fake OpenAI chat completions and Anthropic messages, and both batch APIs, on
    127.0.0.1 until Ctrl-C."""
    server = FakeLLMServer(
        port=port,
        latency_ms=latency_ms,
        faults=[parse_fault(f) for f in fault],
        cache_min_tokens=parse_cache_minimum(cache_min_tokens),
        batches=batch_settings(batch_delay_s, batch_error_rate, batch_expire_rate, batch_shuffle),
    )
    typer.echo(
        f"fake LLM on {server.url}  (OpenAI base_url {server.openai_url}, "
        f"Anthropic base_url {server.url}; stats at {server.url}/_admin/stats)"
    )
    typer.echo(
        f"  e.g. LLM_PROVIDER=local LM_STUDIO_URL={server.openai_url} indiclass classify ..."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop_listening()


def parse_fault(text: str) -> Fault:
    kind, _, rest = text.partition(":")
    times_text, _, stage = rest.partition(":")
    if kind not in FAULT_KINDS:
        raise typer.BadParameter(
            f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}", param_hint="--fault"
        )
    try:
        times = int(times_text) if times_text else 1
    except ValueError:
        raise typer.BadParameter(
            f"TIMES must be an integer in {text!r}", param_hint="--fault"
        ) from None
    return Fault(kind, times=times, stage=stage or None)  # type: ignore[arg-type]


def parse_cache_minimum(text: str) -> CacheMinimum:
    try:
        return cache_minimum(text)
    except HTTPError as exc:
        raise typer.BadParameter(exc.message, param_hint="--cache-min-tokens") from None


def batch_settings(
    delay_s: float, error_rate: float, expire_rate: float, shuffle: bool
) -> BatchSettings:
    try:
        return BatchSettings(delay_s, error_rate, expire_rate, shuffle)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--batch-*") from None
