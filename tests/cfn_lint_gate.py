"""cfn-lint as ``cfnlint.api.lint`` runs it, with its rules loaded once per process.

``cfnlint.api.lint`` builds a new ``Runner`` for every template, and a ``Runner`` loads and
configures every rule (about 0.4 s, nearly half of a lint). cfn-lint's CLI lints many templates
with one ``Runner``, and so do the tests; each template is decoded and validated as
``cfnlint.api.lint`` does it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["cfn_lint_findings"]

# cfn-lint (with sympy and networkx) takes 0.6 s to import: each test process that lints
# imports it once, when it first lints, instead of every process at collection.


@functools.cache
def _runner() -> Any:
    from cfnlint.config import ConfigMixIn, ManualArgs  # type: ignore[import-untyped]  # noqa: PLC0415
    from cfnlint.runner import Runner  # type: ignore[import-untyped]  # noqa: PLC0415

    # Informational checks (I*) are style advice on CDK's own output, e.g. Fn::Sub over Fn::Join.
    return Runner(ConfigMixIn(**ManualArgs(regions=["us-east-1"])))


def cfn_lint_findings(template: Mapping[str, Any]) -> list[str]:
    """cfn-lint's errors and warnings about ``template``, one line each (none: ``[]``)."""
    from cfnlint.decode.decode import decode_str  # type: ignore[import-untyped]  # noqa: PLC0415

    decoded, errors = decode_str(json.dumps(template))
    matches = errors or ([] if decoded is None else list(_runner().validate_template(decoded)))
    return [f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in matches]
