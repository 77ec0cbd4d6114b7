"""The README's promises: its commands and its Python example are the ones that work."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_quick_start_has_exactly_the_two_commands_ci_runs():
    quick_start = README.split("## Quick start", 1)[1]
    first_block = re.search(r"```sh\n(.*?)```", quick_start, flags=re.DOTALL)
    assert first_block is not None
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make synth", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_usage_example_synthesizes():
    example = code_blocks("python")[0]
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102 (our own README)
    assert "job" in namespace


def test_links_within_the_readme_point_at_its_headings():
    # GitHub's anchors: the heading in lower case, punctuation dropped, spaces as hyphens.
    headings = re.findall(r"^#+ (.+)$", README, flags=re.MULTILINE)
    anchors = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}
    links = set(re.findall(r"\]\(#([^)]+)\)", README))
    assert links
    assert not links - anchors, f"README links to missing headings: {sorted(links - anchors)}"
