"""Where the Lambda code is: inside an installed wheel, or the source tree (no aws_cdk needed)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["handler_code_dir"]


def handler_code_dir() -> Path:
    """Return the folder holding ``handler.py``: inside an installed wheel, or the source tree.

    The wheel ships ``lambda/`` as ``infrec_cdk/_lambda`` (hatch's ``force-include``).
    """
    packaged = Path(__file__).parent / "_lambda"
    if (packaged / "handler.py").is_file():
        return packaged
    return Path(__file__).parent.parent / "lambda"
