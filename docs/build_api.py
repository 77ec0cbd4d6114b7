"""Write the API reference of ``infrec_cdk``'s public names as HTML (``make docs``).

Usage: ``python docs/build_api.py OUTPUT_DIR``. pdoc documents the names in
``infrec_cdk.__all__``, from their docstrings (numpy style), without their source.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pdoc
import pdoc.render

import infrec_cdk


def build(output: Path) -> None:
    """Render the reference of every name in ``infrec_cdk.__all__`` into ``output``."""
    # Resolve every public name first. The package may import its names on first use (PEP 562
    # __getattr__), while pdoc looks the names of __all__ up in the module's __dict__ only.
    # Resolving them also imports aws_cdk here, so its jsii kernel starts its Node.js process
    # before pdoc imports anything (pdoc suppresses subprocesses while it imports).
    for name in infrec_cdk.__all__:
        getattr(infrec_cdk, name)
    pdoc.render.configure(docformat="numpy", show_source=False)
    pdoc.pdoc("infrec_cdk", output_directory=output)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
