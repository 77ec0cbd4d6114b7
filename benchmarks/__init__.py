"""Benchmarks of infrec-cdk: synth cost against AwsCustomResource, scale, handler size, polling
and the test suite. Run ``make bench`` (or ``python -m benchmarks``); nothing here is a test."""
