"""Warnings about a sample payload's files: content types, sizes, layout.

Each is a warning, not a refusal (README "Validation"): "Your inference code must
be able to read the file formats from the sample payload" (prerequisites) is the user's contract
with their own model; the guide only implies each file is sent as one request; AWS's only example
is a flat archive of files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from infrec_cdk._payload_archive import MAX_INVOKE_BODY, Archive
from infrec_cdk._payload_content import type_kinds
from infrec_cdk._sources import GUIDE_PREREQUISITES

__all__ = [
    "MAX_SERVERLESS_BODY",
    "SAMPLE_PAYLOAD_FIELD",
    "may_test_serverless",
    "payload_warnings",
]

SAMPLE_PAYLOAD_FIELD = "InputConfig.ContainerConfig.PayloadConfig.SamplePayloadUrl"
# "The maximum request and response payload size for serverless invocations is 4 MB."
GUIDE_SERVERLESS_INVOKE = (
    "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html"
)
MAX_SERVERLESS_BODY = 4 * 1024 * 1024
# The API reference page of InvokeEndpoint, whose Body carries the same maximum as botocore.
API_INVOKE_ENDPOINT = (
    "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html"
)

# --- warnings ------------------------------------------------------------------------------------


_SHOWN_FILES = 5


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:_SHOWN_FILES])
    more = len(names) - _SHOWN_FILES
    return shown + (f" and {more} more" if more > 0 else "")


def may_test_serverless(request: Mapping[str, object]) -> bool:
    """Whether the job may benchmark a serverless endpoint (whose requests carry at most 4 MB)."""
    input_config = request.get("InputConfig")
    if not isinstance(input_config, Mapping):
        return True
    container = input_config.get("ContainerConfig")
    if isinstance(container, Mapping) and container.get("SupportedEndpointType") == "RealTime":
        return False
    configurations = input_config.get("EndpointConfigurations")
    if isinstance(configurations, list):
        return any(
            not isinstance(item, Mapping) or "ServerlessConfig" in item for item in configurations
        )
    # An existing endpoint is real-time (inference-recommender-existing-endpoint.html).
    return "Endpoints" not in input_config


def payload_warnings(
    archive: Archive,
    *,
    content_types: Sequence[str] | None,
    serverless: bool,
    shown: str,
) -> list[tuple[str, str]]:
    """Return ``(annotation id, message)`` for what may keep the load test from using the files.

    ``shown`` names the payload in messages, e.g. ``PayloadConfig.from_asset('payload')``.
    """
    where = f"{SAMPLE_PAYLOAD_FIELD}: {shown}"
    warnings: list[tuple[str, str]] = []
    kinds = [type_kinds(t) for t in content_types or ()]
    if kinds and all(k is not None for k in kinds):
        allowed = frozenset().union(*(k for k in kinds if k is not None))
        mismatched = [
            f.name for f in archive.files if f.kinds is not None and not f.kinds & allowed
        ]
        if mismatched:
            warnings.append(
                (
                    "infrec-cdk:samplePayloadContentType",
                    (
                        f"{where}: {_listed(mismatched)} do not look like "
                        f"{' or '.join(content_types or ())}; the load test sends each file to "
                        'the model, and "your inference code must be able to read the file '
                        f'formats from the sample payload" (source: {GUIDE_PREREQUISITES})'
                    ),
                )
            )
    too_large = [f.name for f in archive.files if f.size > MAX_INVOKE_BODY]
    if too_large:
        warnings.append(
            (
                "infrec-cdk:samplePayloadFileSize",
                (
                    f"{where}: {_listed(too_large)} are larger than the {MAX_INVOKE_BODY:,} bytes "
                    "an InvokeEndpoint request body may hold, and the load test sends each file "
                    f"as a request (source: {API_INVOKE_ENDPOINT}, {GUIDE_PREREQUISITES})"
                ),
            )
        )
    too_large_serverless = [
        f.name for f in archive.files if MAX_SERVERLESS_BODY < f.size <= MAX_INVOKE_BODY
    ]
    if serverless and too_large_serverless:
        warnings.append(
            (
                "infrec-cdk:samplePayloadFileSize",
                (
                    f"{where}: {_listed(too_large_serverless)} are larger than the 4 MB a "
                    "serverless endpoint accepts in a request, and the job may benchmark "
                    "serverless endpoints (set ContainerConfig.SupportedEndpointType to RealTime, "
                    f"or test only instance types, if it should not) (source: "
                    f"{GUIDE_SERVERLESS_INVOKE})"
                ),
            )
        )
    if archive.layout:
        warnings.append(
            (
                "infrec-cdk:samplePayloadLayout",
                (
                    f"{where}: {_listed(list(archive.layout))}; AWS's documented sample payload "
                    "is a flat archive of files, and whether the load test reads anything else "
                    f"is not documented (source: {GUIDE_PREREQUISITES})"
                ),
            )
        )
    return warnings
