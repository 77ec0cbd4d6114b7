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


def test_links_within_the_readme_point_at_its_headings():
    # GitHub's anchors: the heading in lower case, punctuation dropped, spaces as hyphens.
    headings = re.findall(r"^#+ (.+)$", README, flags=re.MULTILINE)
    anchors = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}
    links = set(re.findall(r"\]\(#([^)]+)\)", README))
    assert links
    assert not links - anchors, f"README links to missing headings: {sorted(links - anchors)}"


# --- every Python snippet runs as written ------------------------------------------------------
# The first stands alone. Each other snippet uses names its prose introduces (a stack, a CfnModel,
# a VPC, ...): it runs in a new stack with those names, except one that uses `job` without
# defining it, which goes on in the namespace of the last snippet that defined one.

_JOB_DEFINED = re.compile(r"^job = ", re.MULTILINE)
_JOB_USED = re.compile(r"\bjob\b")
_COMMENT = re.compile(r"#.*$", re.MULTILINE)


def _context(index: int) -> dict[str, object]:
    import json  # noqa: PLC0415 (the names a snippet may use, made only when it runs)

    import aws_cdk as cdk  # noqa: PLC0415
    from aws_cdk import aws_ec2 as ec2  # noqa: PLC0415
    from aws_cdk import aws_kms as kms  # noqa: PLC0415
    from aws_cdk import aws_s3 as s3  # noqa: PLC0415
    from aws_cdk import aws_sagemaker as sagemaker  # noqa: PLC0415

    import infrec_cdk  # noqa: PLC0415

    app = cdk.App()
    stack = cdk.Stack(
        app, f"Snippet{index}", env={"account": "123456789012", "region": "us-east-1"}
    )
    package = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/3"
    namespace: dict[str, object] = {name: getattr(infrec_cdk, name) for name in infrec_cdk.__all__}
    namespace |= {
        "__name__": f"readme_snippet_{index}",
        "cdk": cdk,
        "json": json,
        "Path": Path,
        "s3": s3,
        "app": app,
        "stack": stack,
        "PACKAGE_ARN": package,
        "model_packages": {"churn": package, "fraud": package.replace("churn", "fraud")},
        "model": sagemaker.CfnModel(
            stack,
            "Model",
            execution_role_arn="arn:aws:iam::123456789012:role/model",
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                model_package_name=package
            ),
        ),
        "container": infrec_cdk.ContainerConfig(
            domain="MACHINE_LEARNING",
            task="CLASSIFICATION",
            framework="XGBOOST",
            payload_config=infrec_cdk.PayloadConfig(
                sample_payload_url="s3://example-ml-artifacts/churn/payload.tar.gz",
                supported_content_types=["text/csv"],
            ),
        ),
    }
    namespace["vpc"] = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    namespace["log_key"] = kms.Key(stack, "LogKey", enable_key_rotation=True)
    return namespace


def test_every_python_snippet_runs_as_written(monkeypatch):
    import aws_cdk as cdk  # noqa: PLC0415 (loaded only by the tests that synthesize)
    from aws_cdk.assertions import Annotations, Match  # noqa: PLC0415

    monkeypatch.chdir(ROOT)  # snippets read examples/ as the README's reader would
    stacks = []
    with_job: dict[str, object] = {}  # the namespace of the last snippet that defined a job
    snippets = code_blocks("python")
    assert len(snippets) >= 8
    # The first, the usage example, stands alone: nothing is defined for it.
    first: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(snippets[0], "README.md python block 0", "exec"), first)  # noqa: S102
    stacks.append(first["stack"])
    assert "job" in first
    for index, snippet in enumerate(snippets[1:], start=1):
        code = _COMMENT.sub("", snippet)
        uses_earlier_job = bool(_JOB_USED.search(code)) and not _JOB_DEFINED.search(code)
        if uses_earlier_job and with_job:
            namespace = with_job
        else:
            namespace = _context(index)
            stacks.append(namespace["stack"])
        exec(compile(snippet, f"README.md python block {index}", "exec"), namespace)  # noqa: S102
        if "job" in namespace:
            with_job = namespace
    for stack in stacks:
        assert isinstance(stack, cdk.Stack)
        errors = Annotations.from_stack(stack).find_error("*", Match.any_value())
        assert not errors, [e.entry.data for e in errors]
