"""Inline SVG charts drawn on the server (no script, no network): horizontal bars, a histogram,
a sparkline and a stage timeline. Each returns ``Markup``; every label is escaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR_H = 18
WIDTH = 420


def bars(items: Sequence[tuple[str, float]], *, unit: str = "", width: int = WIDTH) -> Markup:
    """One labelled bar per item, longest = full width (nothing to draw: an empty string)."""
    if not items:
        return Markup("")
    top = max(v for _, v in items) or 1
    label_w, bar_w = 170, width - 230
    rows = []
    for n, (label, value) in enumerate(items):
        y = n * BAR_H
        w = max(1.0, bar_w * value / top)
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{BAR_H - 6}" class="bar">'
            f"<title>{escape(label)}: {_num(value)}{unit}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{_num(value)}{unit}</text>'
        )
    return _svg(width, BAR_H * len(items), "".join(rows), "bars")


def histogram(counts: Sequence[int], *, width: int = WIDTH, height: int = 120) -> Markup:
    """Counts per equal bin over 0-1 (e.g. confidence in tenths), with the bin edges below."""
    top = max(counts, default=0) or 1
    n = max(1, len(counts))
    step = (width - 20) / n
    parts = []
    for k, c in enumerate(counts):
        h = (height - 30) * c / top
        x = 10 + k * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - 20 - h:.1f}" width="{step - 2:.1f}" '
            f'height="{h:.1f}" class="bar"><title>{k / n:.1f}-{(k + 1) / n:.1f}: {c}</title></rect>'
        )
        if c:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 24 - h:.1f}" '
                f'text-anchor="middle">{c}</text>'
            )
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" class="axis">{k / n:.1f}</text>')
    return _svg(width, height, "".join(parts), "histogram")


def sparkline(values: Sequence[float], *, width: int = 240, height: int = 48) -> Markup:
    """A line through the values in order (fewer than two values: nothing)."""
    if len(values) < 2:
        return Markup("")
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    points = " ".join(
        f"{2 + k * step:.1f},{height - 3 - (height - 6) * (v - low) / span:.1f}"
        for k, v in enumerate(values)
    )
    body = (
        f'<polyline points="{points}" class="spark"/>'
        f"<title>{len(values)} values from {_num(low)} to {_num(high)}</title>"
    )
    return _svg(width, height, body, "sparkline")


def timeline(spans: Sequence[tuple[str, float, float, str]], *, width: int = WIDTH) -> Markup:
    """A trace view: one row per (label, start ms, duration ms, note) on a shared time axis."""
    if not spans:
        return Markup("")
    end = max(s + d for _, s, d, _ in spans) or 1.0
    label_w, track = 130, width - 140
    rows = []
    for n, (label, start, duration, note) in enumerate(spans):
        y = n * BAR_H
        x = label_w + track * start / end
        w = max(2.0, track * duration / end)
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{BAR_H - 6}" class="span">'
            f"<title>{escape(label)}: starts +{_num(start)} ms, {_num(duration)} ms"
            f"{' · ' + str(escape(note)) if note else ''}</title></rect>"
        )
    return _svg(width, BAR_H * len(spans), "".join(rows), "timeline")


def _svg(width: int, height: int, body: str, kind: str) -> Markup:
    return Markup(
        f'<svg class="chart {kind}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">{body}</svg>'
    )


def _num(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}" if abs(value) < 1 else f"{value:,.1f}"
