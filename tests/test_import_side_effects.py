"""Importing infrec_cdk changes nothing outside it, and works in any order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import infrec_cdk

_PROBE = textwrap.dedent(
    """
    import json, os, sys
    environment, hook, path = dict(os.environ), sys.excepthook, list(sys.path)
    import infrec_cdk
    light = "aws_cdk" not in sys.modules
    from infrec_cdk import InferenceRecommendationsJob, Wait
    import aws_cdk
    print(json.dumps({
        "environment": dict(os.environ) == environment,
        "excepthook": sys.excepthook is hook,
        "path": sys.path == path,
        "light": light,
    }))
    """
)


def test_importing_changes_no_environment_hook_or_path_and_loads_no_cdk_until_used():
    environment = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    result = subprocess.run(  # noqa: S603 (fixed command)
        [sys.executable, "-c", _PROBE],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout) == {
        "environment": True,
        "excepthook": True,
        "path": True,
        "light": True,
    }


def test_every_public_name_resolves_and_is_listed():
    assert set(infrec_cdk._EXPORTS) == set(infrec_cdk.__all__)
    for name in infrec_cdk.__all__:
        value = getattr(infrec_cdk, name)
        assert getattr(sys.modules[f"infrec_cdk.{infrec_cdk._EXPORTS[name]}"], name) is value
    assert set(infrec_cdk.__all__) <= set(dir(infrec_cdk))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = infrec_cdk.Nope
