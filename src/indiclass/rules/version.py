"""``RULES_VERSION``: which rules answered, as a hash of what decides their answers.

The hash covers every source and data file of the ``indiclass.rules`` package (the parsers,
detectors and the lexicon modules, which are data written as Python), by relative path and
bytes, plus the ISO 4217 code list the currency rules match against (it comes from the
``iso4217`` package, so upgrading that package changes the version too). Any edit to a rule or a
lexicon gives a new version; reformatting a file does as well (the hash is of bytes, not of
behaviour: a changed version says "may differ", an equal one says "the same rules").

Not covered: the prompts (each LLM answer records its own ``prompt_hash``) and the stage glue in
``indiclass.stages`` (it only hands inputs to these rules).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable

from indiclass.domain.currencies import ISO_CODES

_SUFFIXES = (".py", ".json", ".jsonl", ".csv", ".txt", ".yaml", ".yml", ".toml")


def _files(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _files(entry, f"{name}/")
        elif entry.name.endswith(_SUFFIXES):
            yield name, entry


def compute_rules_version(package: str = "indiclass.rules") -> str:
    """``rules-<12 hex>``: sha256 over (path, bytes) of the package's files, sorted by path,
    then the sorted ISO 4217 codes."""
    digest = hashlib.sha256()
    for name, entry in sorted(_files(resources.files(package)), key=lambda item: item[0]):
        digest.update(name.encode() + b"\0" + entry.read_bytes() + b"\0")
    digest.update(",".join(sorted(ISO_CODES)).encode())
    return f"rules-{digest.hexdigest()[:12]}"


RULES_VERSION = compute_rules_version()
"""The version of the rules in this process (recorded on every stage answer)."""
