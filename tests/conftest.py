"""Shared test set-up: a supported Node.js for jsii, no real AWS, and the fakes as fixtures."""

from __future__ import annotations

import os

from infrec_cdk._node import use_bundled_node

# jsii starts Node.js at the first `import aws_cdk`: pick the pip-installed one before that.
use_bundled_node()

# No test may reach AWS: fake credentials and a fixed region for every boto3 client.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("AWS_PROFILE", None)

# The handler's Delete looks for a late job, and waits for a stopping one, for as long as one
# SageMaker call may take (about a minute). Tests that deploy whole templates let no fake time
# pass meanwhile, so they keep that window short; tests of the window set it themselves.
os.environ.setdefault("INFREC_DELETE_RECHECK_SECONDS", "0.5")

pytest_plugins = ["tests.fakes.fixtures", "tests.harness.fixtures"]
