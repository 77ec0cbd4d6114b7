"""A per-user cache of the few botocore model shapes a synth reads, keyed by the model's bytes.

botocore ships SageMaker's model as one compressed file of every operation (2.6 MB of JSON); a
synth needs one or two operations' input shapes. Decompressing and parsing the whole file took
about 70 ms of every synth, and the objects it made brought on a full garbage collection. The
shapes an operation reaches are written here once, under the SHA-256 of the model file: a new
botocore (another model) misses and writes its own entry, so the cache never answers for a
model it was not made from.

Where: ``$INFREC_CDK_CACHE_DIR`` if set (empty: no cache), else ``$XDG_CACHE_HOME/infrec-cdk``,
else ``~/.cache/infrec-cdk``. A cache that cannot be read or written is skipped, never an error:
the model is then parsed as before.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

__all__ = ["CACHE_VARIABLE", "cache_dir", "read", "write"]

CACHE_VARIABLE: Final = "INFREC_CDK_CACHE_DIR"


def cache_dir() -> Path | None:
    """Return the cache folder, or None when ``$INFREC_CDK_CACHE_DIR`` is set empty."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "infrec-cdk"
    try:
        return Path.home() / ".cache" / "infrec-cdk"
    except RuntimeError:  # no home directory to be found
        return None


def read(key: str) -> Mapping[str, Any] | None:
    """Return the entry stored under ``key``, or None (absent, unreadable or not an entry)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        entry = json.loads((folder / f"{key}.json").read_bytes())
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("key") == key else None


def write(key: str, entry: Mapping[str, Any]) -> None:
    """Store ``entry`` under ``key`` (atomically: readers see all of it or none); best effort."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump({**entry, "key": key}, file, separators=(",", ":"))
            Path(temporary).replace(folder / f"{key}.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
