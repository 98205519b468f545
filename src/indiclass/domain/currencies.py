"""ISO 4217 codes from the maintained ``iso4217`` package (never English words)."""

from __future__ import annotations

import iso4217

ISO_CODES: frozenset[str] = frozenset(c.code for c in iso4217.Currency)
"""Alphabetic codes of every currency the package knows (active list)."""
