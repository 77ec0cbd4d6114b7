"""Shared test set-up: a supported Node.js for jsii, no real AWS, and the fakes as fixtures."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# aws-cdk-lib's built-in CloudFormation validation loads a WebAssembly rule engine at a process's
# first synth (about 2.5 s) and runs on every synth after (about 0.1 s each). Unless the feature
# flag @aws-cdk/core:validateAgainstDefaultRules is set (it is not) it only prints warnings, and no
# test reads them: cfn-lint checks every example template (tests/test_cfn_lint.py), and the
# real-CLI tests (tests/test_example_app.py) keep it on, as a user's `cdk synth` runs it. Set
# before jsii starts Node.js (the import below), which inherits the environment.
os.environ.setdefault("CDK_VALIDATION", "false")

# The venv's tools first, as `make test` has them (its Node.js from the `node` extra, the CDK
# CLI's too), also when pytest is run without the Makefile. jsii starts the first `node` on PATH
# at the first `import aws_cdk`. The library itself picks no Node.js.
_VENV_BIN = str(Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _VENV_BIN:
    os.environ["PATH"] = os.pathsep.join([_VENV_BIN, os.environ.get("PATH", "")])

# No test may reach AWS: fake credentials and a fixed region for every boto3 client.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("AWS_PROFILE", None)

# The handler's Delete looks for a late job, and waits for a stopping one, for as long as one
# SageMaker call may take (about a minute), in real time. Tests that deploy whole templates let no
# fake time pass meanwhile, so a stopping job is still stopping at the end of the window whatever
# its length: they keep it short (it still gets its five looks); tests of the window set it
# themselves.
os.environ.setdefault("INFREC_DELETE_RECHECK_SECONDS", "0.1")

# The model-shape cache (infrec_cdk/_model_cache.py) of this test run, not the user's: one folder
# per test process, shared by the synths it runs (subprocesses inherit it).
if "INFREC_CDK_CACHE_DIR" not in os.environ:
    os.environ["INFREC_CDK_CACHE_DIR"] = tempfile.mkdtemp(prefix="infrec-cdk-cache-")
    atexit.register(shutil.rmtree, os.environ["INFREC_CDK_CACHE_DIR"], ignore_errors=True)

# Hypothesis fails an example slower than 200 ms by default: wall-clock timing, which a loaded
# machine (xdist workers, taskset -c 0, a CPU hog) breaks. Correctness is what the tests check.
settings.register_profile("infrec", deadline=None)
settings.load_profile("infrec")

pytest_plugins = ["tests.fakes.fixtures", "tests.harness.fixtures"]


# The longest test modules (seconds of one worker, `pytest --durations=0` summed per module on
# the 2-core machine of README "Performance"), run first. xdist hands out whole modules
# (--dist loadfile) in collection order (--no-loadscope-reorder): the longest first, the many
# short ones after, so that no worker is left running a long module alone at the end.
LONGEST_MODULES: tuple[str, ...] = (
    "test_recommender.py",  # 16 s: 50-job stacks, the platform deployed
    "test_example_app.py",  # 12 s: the real CDK CLI
    "test_integ_snapshots.py",  # 8 s: integ-runner
    "test_nag.py",  # 8 s: cdk-nag over every example
    "test_fault_matrix.py",  # 6 s
    "test_waiting.py",  # 6 s
    "test_handler_e2e.py",  # 6 s
    "test_handler_retries.py",  # 6 s
    "test_ai_handler.py",  # 5 s
    "test_cfn_lint.py",  # 4 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the longest modules first (stable: the rest keep their order)."""
    rank = {name: index for index, name in enumerate(LONGEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
