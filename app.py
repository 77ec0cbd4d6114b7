"""Example app: one stack that right-sizes a model when it deploys.

``cdk synth`` synthesizes the job below; ``cdk synth -c request=PATH`` synthesizes the
CreateInferenceRecommendationsJob request in the JSON file at PATH instead (see ``examples/``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import aws_cdk as cdk
from constructs import Construct

from infrec_cdk import (
    ContainerConfig,
    InferenceRecommendationsJob,
    InfrecValidationError,
    ModelSource,
    PayloadConfig,
)

EXAMPLE_MODEL_PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/3"


class ExampleStack(cdk.Stack):
    """A stack with one recommendation job and its ARN as the output ``JobArn``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        request: dict[str, object] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        if request is None:
            job = InferenceRecommendationsJob(
                self,
                "Job",
                model=ModelSource.from_model_package_version(EXAMPLE_MODEL_PACKAGE),
                description="Instance recommendation for the churn model",
                container_config=ContainerConfig(
                    domain="MACHINE_LEARNING",
                    task="CLASSIFICATION",
                    framework="XGBOOST",
                    payload_config=PayloadConfig(
                        sample_payload_url="s3://example-ml-artifacts/churn/payload.tar.gz",
                        supported_content_types=["text/csv"],
                    ),
                ),
                tags={"team": "ml-platform"},
            )
        else:
            job = InferenceRecommendationsJob.from_request(self, "Job", request)
        cdk.CfnOutput(self, "JobArn", value=job.job_arn, description="The recommendation job")


def load_request(path: str) -> dict[str, object]:
    """Read a request file, or exit with a one-line reason."""
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        sys.exit(f"infrec-cdk: cannot read request file {path}: {error.strerror}")
    except json.JSONDecodeError as error:
        sys.exit(f"infrec-cdk: request file {path} is not valid JSON: {error}")
    if not isinstance(loaded, dict):
        sys.exit(f"infrec-cdk: request file {path} must hold a JSON object")
    return loaded


def main() -> None:
    """Synthesize the example app; a bad request exits with its problems, not a traceback."""
    app = cdk.App()
    request_path = app.node.try_get_context("request")
    request = load_request(str(request_path)) if request_path else None
    try:
        ExampleStack(app, "InfrecExample", request=request)
    except InfrecValidationError as error:  # its message lists every field and rule
        sys.exit(f"infrec-cdk: {error}")
    app.synth()


if __name__ == "__main__":
    main()
