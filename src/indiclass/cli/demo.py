"""``indiclass demo``: the seed's workflow offline, in one command (what ``make demo`` runs).

Seeds the bundled catalogue into the results database, runs ``indiclass run random -20 rules``
on the embedded engine (no key, no network), prints the seed's log lines and a results table, and
shows how to run the same with OpenAI or a local LM Studio.
"""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from indiclass.catalogue import load_catalogue
from indiclass.cli.backends import EmbeddedBackend
from indiclass.cli.display import make_display
from indiclass.cli.render import make_console, provider_hints, results_table
from indiclass.cli.runner import drive
from indiclass.cli.session import database_label, engine_session, load_settings
from indiclass.cli.summary import print_summary
from indiclass.domain.store import RunRecord


def demo_command(
    count: int = typer.Option(20, "--count", "-n", min=1, max=1000, help="Indicators to run."),
    batch_size: int = typer.Option(5, "--batch-size", min=1),
    concurrent_batches: int = typer.Option(4, "--concurrent-batches", min=1),
    log_format: str = typer.Option("seed", "--log-format", help="seed, compact or quiet."),
) -> None:
    """Seed the bundled catalogue and classify 20 random indicators offline (rules).

    Example: indiclass demo -n 40"""
    console = make_console()
    settings = load_settings()
    with engine_session(settings) as engine:
        seeded = engine.store.upsert_source_indicators(load_catalogue())
        console.print(
            f"🌱 Seeded {seeded} indicators from the bundled catalogue into "
            f"{database_label(settings)}"
        )
        console.print(f"$ indiclass run random -{count} rules --force\n", highlight=False)
        config = engine.resolve("rules")
        now = datetime.now(UTC)
        run = RunRecord(
            run_id=f"demo-{now:%Y%m%d-%H%M%S-%f}",
            kind="demo",
            status="running",
            config=config,
            options={"batch_size": batch_size, "concurrent": concurrent_batches, "force": True},
            total_indicators=0,
            batches=0,
            created_at=now,
            updated_at=now,
        )
        batches = engine.store.claim_run(
            run, batch_size=batch_size, limit=count, random_order=True, unclassified_only=False
        )
        display = make_display(
            console,
            log_format,  # type: ignore[arg-type]
            total=sum(len(b.indicator_ids) for b in batches),
            batch_size=batch_size,
            total_batches=len(batches),
        )
        try:
            backend = EmbeddedBackend(engine, config, force=True, run_id=run.run_id)
            outcome = drive(batches, backend, display, concurrent=concurrent_batches)
        finally:
            display.close()
        engine.store.set_run_status(run.run_id, "completed" if outcome.clean else "degraded")
        sample = [i for b in batches for i in b.indicator_ids]
        rows = [engine.store.get_classification(i) for i in sample]
        console.print()
        console.print(
            results_table(
                [r for r in rows if r],
                title=f"{len(rows)} indicators, {len(outcome.trace_ids)} batches",
            )
        )
        print_summary(console, engine.store, outcome)
    console.print(
        "Tables: sqlite3 "
        + settings.classify_db_local_dev
        + ' "SELECT * FROM pipeline_stats ORDER BY batch_start_time DESC LIMIT 10;"',
        highlight=False,
        soft_wrap=True,
    )
    provider_hints(console)
