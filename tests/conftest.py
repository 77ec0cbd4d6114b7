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

pytest_plugins = ["tests.fakes.fixtures", "tests.harness.fixtures"]
