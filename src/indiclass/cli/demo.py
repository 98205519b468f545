"""``indiclass demo``: the seed's workflow offline, in one command (what ``make demo`` runs).

Seeds the bundled catalogue into the results database, runs ``indiclass run random -20 rules``
on the embedded engine (no key, no network), prints the seed's log lines and a results table, and
shows how to run the same with OpenAI or a local LM Studio.
"""

from __future__ import annotations

import typer

from indiclass.catalogue import load_catalogue
from indiclass.cli.backends import EmbeddedBackend
from indiclass.cli.render import make_console, make_reporter, provider_hints, results_table
from indiclass.cli.runner import run_groups
from indiclass.cli.session import database_label, engine_session, friendly_errors, load_settings


@friendly_errors
def demo_command(
    count: int = typer.Option(20, "--count", "-n", min=1, max=1000, help="Indicators to run."),
    batch_size: int = typer.Option(5, "--batch-size", min=1),
    concurrent_batches: int = typer.Option(4, "--concurrent-batches", min=1),
) -> None:
    """Seed the bundled catalogue and classify 20 random indicators offline (rules)."""
    console = make_console()
    settings = load_settings()
    with engine_session(settings) as engine:
        seeded = engine.store.upsert_source_indicators(load_catalogue())
        console.print(
            f"🌱 Seeded {seeded} indicators from the bundled catalogue into "
            f"{database_label(settings)}"
        )
        console.print(f"$ indiclass run random -{count} rules\n", highlight=False)
        sample = engine.store.list_source_indicators(limit=count, random_order=True)
        reporter = make_reporter(console)
        try:
            outcome = run_groups(
                sample,
                EmbeddedBackend(engine, force=True),
                "rules",
                reporter=reporter,
                batch_size=batch_size,
                concurrent=concurrent_batches,
            )
        finally:
            reporter.close()
        rows = [engine.store.get_classification(i.indicator_id) for i in sample]
    console.print()
    console.print(
        results_table(
            [r for r in rows if r],
            title=f"{len(rows)} indicators, {len(outcome.trace_ids)} batches",
        )
    )
    console.print(
        "Tables: sqlite3 "
        + settings.classify_db_local_dev
        + ' "SELECT * FROM pipeline_stats ORDER BY batch_start_time DESC LIMIT 10;"',
        highlight=False,
        soft_wrap=True,
    )
    provider_hints(console)
