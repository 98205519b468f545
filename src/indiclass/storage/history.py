"""History, provenance and retention on the results database (``SqlStore`` mixes this in).

``classification_history`` keeps every run's answer for every indicator it classified, keyed
by (run key, indicator): the run key is the batch's ``run_id`` — or the run whose
``run_items`` name the batch (a run submitted to a server with ``--api``) — else the batch's
own ``trace_id`` (an API batch is its own run). Rows are written by ``storage.writes`` in the
transaction that completes the member, beside ``classifications`` (which keeps only the current
answer, in the seed's shape).
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

from indiclass.domain.history import PROVENANCE_COLUMNS, stage_summary
from indiclass.domain.models import Classification, StageOutcome
from indiclass.domain.store import TERMINAL
from indiclass.stages import StageSet
from indiclass.storage import rows as R
from indiclass.storage.db import Cursor, Database

HISTORY_COLUMNS = (
    "run_key",
    "indicator_id",
    "trace_id",
    "run_id",
    "family",
    "indicator_type",
    "review_status",
    "overall_confidence",
    "provider",
    "model",
    "strategy",
    "rules_version",
    "prompt_hash",
    "request_hash",
    "temperature",
    "classification",
    "stages",
    "created_at",
    "updated_at",
)
_PURGE_CHUNK = 5_000


def batch_context(cur: Cursor, trace_id: str) -> dict[str, Any]:
    """What every row of the batch records about it: ``run_id`` (the batch's, else the run
    that planned it), ``strategy``, and the ``run_key`` its history rows go under."""
    row = cur.execute(
        "SELECT p.strategy AS strategy, COALESCE(p.run_id, (SELECT i.run_id FROM run_items i"
        " WHERE i.trace_id = p.batch_id LIMIT 1)) AS run_id FROM pipeline_stats p"
        " WHERE p.batch_id = ?",
        (trace_id,),
    ).fetchone()
    run_id = row["run_id"] if row else None
    strategy = row["strategy"] if row else None
    return {"strategy": strategy, "run_id": run_id, "run_key": run_id or trace_id}


_PACKED = "z:"


def pack(text: str) -> str:
    """JSON kept in history compressed (zlib, base85, marked ``z:``): a past answer is read
    rarely and is most of a row (2.9 KB → 1.1 KB per indicator)."""
    return _PACKED + base64.b85encode(zlib.compress(text.encode(), 6)).decode("ascii")


def unpack(text: str | None) -> str:
    if not text:
        return ""
    if text.startswith(_PACKED):
        return zlib.decompress(base64.b85decode(text[len(_PACKED) :])).decode()
    return text  # written before packing


def history_row(
    trace_id: str,
    c: Classification,
    outcomes: Sequence[StageOutcome],
    provenance: dict[str, Any],
    batch: dict[str, Any],
    now: str,
) -> tuple[Any, ...]:
    """The ``classification_history`` row (``HISTORY_COLUMNS``) of one completed member."""
    stages = {o.stage: stage_summary(o) for o in outcomes}
    values = {
        **provenance,
        "run_key": batch["run_key"],
        "indicator_id": c.indicator_id,
        "trace_id": trace_id,
        "run_id": batch.get("run_id"),
        "strategy": batch.get("strategy"),
        "family": c.family.value,
        "indicator_type": c.indicator_type.value,
        "review_status": c.review_status.value,
        "overall_confidence": c.overall_confidence,
        "provider": c.provider,
        "model": c.model,
        "classification": pack(c.model_dump_json()),
        "stages": pack(json.dumps(stages, separators=(",", ":"))),
        "created_at": now,
        "updated_at": now,
    }
    return tuple(values[col] for col in HISTORY_COLUMNS)


HISTORY_UPSERT = R.upsert_sql(
    "classification_history", HISTORY_COLUMNS, ("run_key", "indicator_id")
)


def decoded_history(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "classification": json.loads(unpack(row["classification"])),
        "stages": json.loads(unpack(row["stages"]) or "{}"),
    }


class HistoryQueries:
    """The ``HistoryStore`` reads (``domain.history``) over ``self.db``."""

    db: Database
    stages: StageSet

    def history_rows(self, run_key: str) -> dict[str, dict[str, Any]]:
        """A run's rows by run id, or one batch's by trace_id (a batch of a run included)."""
        return {r["indicator_id"]: r for r in self.iter_history(run_key)}

    def iter_history(self, run_key: str, *, page: int = 1_000) -> Iterator[dict[str, Any]]:
        """The same rows in indicator_id order, read page by page (flat memory for diffs)."""
        column = self.db.read(
            lambda cur: (
                "run_key"
                if cur.execute(
                    "SELECT 1 FROM classification_history WHERE run_key = ? LIMIT 1", (run_key,)
                ).fetchone()
                else "trace_id"
            )
        )
        last = ""
        while True:
            rows = self.db.read(
                lambda cur, after=last: cur.execute(  # type: ignore[misc]
                    f"SELECT * FROM classification_history WHERE {column} = ?"
                    " AND indicator_id > ? ORDER BY indicator_id LIMIT ?",
                    (run_key, after, page),
                ).fetchall()
            )
            yield from (decoded_history(r) for r in rows)
            if len(rows) < page:
                return
            last = rows[-1]["indicator_id"]

    def indicator_history(self, indicator_id: str) -> list[dict[str, Any]]:
        rows = self.db.read(
            lambda cur: cur.execute(
                "SELECT * FROM classification_history WHERE indicator_id = ? ORDER BY id",
                (indicator_id,),
            ).fetchall()
        )
        return [decoded_history(r) for r in rows]

    # ------------------------------------------------------------ runs

    def runs_overview(self, *, limit: int = 50) -> list[dict[str, Any]]:
        def read(cur: Cursor) -> list[dict[str, Any]]:
            runs = cur.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
            lone = cur.execute(
                "SELECT * FROM pipeline_stats p WHERE p.run_id IS NULL AND NOT EXISTS"
                " (SELECT 1 FROM run_items i WHERE i.trace_id = p.batch_id)"
                " ORDER BY p.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
            found = [_run_view(r) for r in runs] + [_batch_view(b) for b in lone]
            found.sort(key=lambda r: r["created_at"] or "", reverse=True)
            found = found[:limit]
            counts = _history_counts(cur, [r["run_id"] for r in found])
            return [{**r, "classified": counts.get(r["run_id"], 0)} for r in found]

        return self.db.read(read)

    def run_info(self, run_key: str) -> dict[str, Any] | None:
        def read(cur: Cursor) -> dict[str, Any] | None:
            run = cur.execute("SELECT * FROM runs WHERE run_id = ?", (run_key,)).fetchone()
            found = _run_view(run) if run else None
            if found is None:
                batch = cur.execute(
                    "SELECT * FROM pipeline_stats WHERE batch_id = ?", (run_key,)
                ).fetchone()
                found = _batch_view(batch) if batch else None
            if found is None:  # batches submitted with a run_id the runs table does not know
                batch = cur.execute(
                    "SELECT * FROM pipeline_stats WHERE run_id = ? ORDER BY id LIMIT 1",
                    (run_key,),
                ).fetchone()
                found = {**_batch_view(batch), "run_id": run_key, "kind": "run"} if batch else None
            if found is None:
                return None
            count = cur.execute(
                "SELECT COUNT(*) FROM classification_history WHERE run_key = ? OR trace_id = ?",
                (run_key, run_key),
            ).scalar()
            return {**found, "classified": int(count or 0)}

        return self.db.read(read)

    # ------------------------------------------------------------ provenance

    def provenance_rows(self, indicator_id: str) -> dict[str, Any] | None:
        def read(cur: Cursor) -> dict[str, Any] | None:
            current = cur.execute(
                "SELECT indicator_id, trace_id, provider, model, overall_confidence,"
                f" updated_at, {', '.join(PROVENANCE_COLUMNS)} FROM classifications"
                " WHERE indicator_id = ?",
                (indicator_id,),
            ).fetchone()
            if current is None:
                return None
            stages: dict[str, Any] = {}
            for stage in self.stages:
                if not stage.table:
                    continue
                row = cur.execute(
                    "SELECT source, provider, model, attempts, confidence, error,"
                    f" {', '.join(PROVENANCE_COLUMNS)} FROM {stage.table}"
                    " WHERE indicator_id = ? AND trace_id = ?",
                    (indicator_id, current["trace_id"]),
                ).fetchone()
                if row is not None:
                    stages[str(stage.name)] = row
            return {"classification": current, "stages": stages}

        return self.db.read(read)

    # ------------------------------------------------------------ retention

    def purge_llm_text(self, cutoff_iso: str, *, prompts_only: bool = False) -> int:
        where, params = _purge_where(cutoff_iso, prompts_only)
        blank, blank_params = "prompt_system = '', prompt_user = ''", list[Any]()
        if not prompts_only:  # a reply still needed for replay is kept (see _purge_where)
            closed, blank_params = _closed_batch()
            blank += f", response = CASE WHEN {closed} THEN NULL ELSE response END"
        sql = (
            f"UPDATE llm_calls SET {blank}, text_purged_at = ? WHERE id IN"
            f" (SELECT id FROM llm_calls WHERE {where} ORDER BY id LIMIT {_PURGE_CHUNK})"
        )

        def chunk(cur: Cursor) -> int:
            return cur.execute(sql, [*blank_params, R.now_iso(), *params]).rowcount

        total = 0
        while True:  # in chunks: a big purge never holds the writer for long
            changed = self.db.write(chunk, what="purge llm_calls text")
            total += changed
            if changed < _PURGE_CHUNK:
                return total

    def count_llm_text(self, cutoff_iso: str, *, prompts_only: bool = False) -> int:
        where, params = _purge_where(cutoff_iso, prompts_only)
        return int(
            self.db.read(
                lambda cur: cur.execute(
                    f"SELECT COUNT(*) FROM llm_calls WHERE {where}", params
                ).scalar()
            )
        )


def _closed_batch() -> tuple[str, list[Any]]:
    """True for a call whose batch is closed (or unknown): its reply is no longer replayed."""
    marks = ", ".join("?" * len(TERMINAL))
    sql = (
        "NOT EXISTS (SELECT 1 FROM pipeline_stats p WHERE p.batch_id = llm_calls.trace_id"
        f" AND COALESCE(p.status, 'running') NOT IN ({marks}))"
    )
    return sql, sorted(TERMINAL)


def _purge_where(cutoff_iso: str, prompts_only: bool) -> tuple[str, list[Any]]:
    """Calls created before the cutoff with text to remove: any prompt text, and reply text
    unless its batch is still open (a re-run step replays the replies instead of paying
    again; they go at the first purge after the batch closes)."""
    prompt = "(prompt_system <> '' OR prompt_user <> '')"
    if prompts_only:
        return f"created_at < ? AND {prompt}", [cutoff_iso]
    closed, params = _closed_batch()
    where = f"created_at < ? AND ({prompt} OR (response IS NOT NULL AND {closed}))"
    return where, [cutoff_iso, *params]


def _history_counts(cur: Cursor, keys: Sequence[str]) -> dict[str, int]:
    if not keys:
        return {}
    rows = cur.execute(
        "SELECT run_key, COUNT(*) AS n FROM classification_history WHERE run_key IN"
        f" ({', '.join('?' * len(keys))}) GROUP BY run_key",
        list(keys),
    ).fetchall()
    return {r["run_key"]: int(r["n"]) for r in rows}


def _run_view(row: dict[str, Any]) -> dict[str, Any]:
    config = json.loads(row["config"]) if row.get("config") else {}
    provider = config.get("provider") or {}
    return {
        "run_id": row["run_id"],
        "kind": row["kind"],
        "status": row["status"],
        "strategy": config.get("strategy"),
        "provider": provider.get("name"),
        "model": provider.get("model"),
        "total_indicators": int(row["total_indicators"] or 0),
        "batches": int(row["batches"] or 0),
        "created_at": row["created_at"],
    }


def _batch_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": row["batch_id"],
        "kind": "batch",
        "status": row.get("status") or "running",
        "strategy": row.get("strategy"),
        "provider": row["provider"],
        "model": row["model"],
        "total_indicators": int(row["total_indicators"] or 0),
        "batches": 1,
        "created_at": row["batch_start_time"],
    }
