"""`make docs` documents the public API: every name in ``infrec_cdk.__all__``, with a docstring."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import infrec_cdk

ROOT = Path(__file__).resolve().parent.parent


def make_docs_command(output: Path) -> list[str]:
    """The command `make docs` runs (`make -n` prints it without running anything)."""
    dry_run = subprocess.run(  # noqa: S603 (fixed command)
        ["make", "--no-print-directory", "-n", "docs", f"DOCS_DIR={output}"],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    (line,) = [line for line in dry_run.splitlines() if "docs/build_api.py" in line]
    return shlex.split(line)


def test_make_docs_writes_a_page_for_every_public_name(tmp_path):
    subprocess.run(  # noqa: S603 (the Makefile's own command)
        make_docs_command(tmp_path),
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    page = (tmp_path / "infrec_cdk.html").read_text(encoding="utf-8")
    sections = {
        match.group(1): section
        for section in re.split(r'(?=<section id=")', page)
        if (match := re.match(r'<section id="([^"]+)"', section))
    }
    # A class or function shows its signature ("def"), a constant its value; a name pdoc
    # could not resolve would show neither.
    undocumented = [
        name
        for name in infrec_cdk.__all__
        if 'class="def"' not in sections.get(name, "")
        and 'class="default_value"' not in sections.get(name, "")
    ]
    assert not undocumented, f"make docs left out {undocumented}"


def test_every_public_class_and_function_has_a_docstring():
    import pdoc.doc  # noqa: PLC0415 (only where it is used)

    for name in infrec_cdk.__all__:  # as docs/build_api.py does: the names may be lazy
        getattr(infrec_cdk, name)
    module = pdoc.doc.Module(infrec_cdk)
    # pdoc reads a variable's docstring only in the module that assigns it, and the package only
    # re-exports its constants (RESOURCE_TYPE, ...): the page shows their values instead.
    docs = {name: module.get(name) for name in infrec_cdk.__all__}
    missing = [
        name
        for name, doc in docs.items()
        if doc is None or (not isinstance(doc, pdoc.doc.Variable) and not doc.docstring.strip())
    ]
    assert not missing, f"public names without a docstring: {missing}"
