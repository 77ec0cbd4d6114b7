"""What the commands share: exit statuses, reading JSON files, messages on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "REPORT_EXTRA",
    "UnreadableError",
    "columns",
    "parse_json",
    "read_json",
    "warn",
]

EXIT_OK: Final = 0
"""Everything checked is fine."""
EXIT_FAILED: Final = 1
"""Something checked is not: an invalid request, a limit exceeded, no recommendation to show."""
EXIT_USAGE: Final = 2
"""The command could not check anything: bad arguments, an unreadable file, invalid JSON."""

REPORT_EXTRA: Final = "pip install 'infrec-cdk[report]'"
"""How to install what ``infrec report`` needs for tables in colour and charts."""


class UnreadableError(Exception):
    """An input could not be read: a missing file, invalid JSON, an S3 or SageMaker error.

    The message names the input and says why; the command exits with ``EXIT_USAGE``.
    """


def read_json(path: str) -> object:
    """Return the JSON document in the file at ``path``.

    Raises
    ------
    UnreadableError
        When the file cannot be read or does not hold JSON; the message names the line.

    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnreadableError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableError(f"{path}: cannot be read ({error})") from None
    return parse_json(text, path)


def parse_json(text: str | bytes, name: str) -> object:
    """Return the JSON document ``text`` (from ``name``), or raise ``UnreadableError``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableError(
            f"{name}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except (UnicodeDecodeError, RecursionError) as error:
        raise UnreadableError(f"{name}: not valid JSON ({error})") from None


def warn(message: str) -> None:
    """Write one line for a person on stderr."""
    sys.stderr.write(f"{message}\n")


def columns(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Return ``rows`` as lines of aligned columns (``right``: which to align right)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(width) if align else cell.ljust(width)
            for cell, width, align in zip(row, widths, right, strict=True)
        ).rstrip()
        for row in rows
    ]
