"""``infrec validate FILE...``: the synth-time checks of request files, without CDK or Node.js.

Each file holds a CreateInferenceRecommendationsJob request in the API's own syntax, as
``InferenceRecommendationsJob.from_request`` takes it. The checks are the construct's own: the
same entry point (``infrec_cdk._validation.validate_request``), called the way ``from_request``
calls it. The fields the construct provisions (``RoleArn``, ``OutputConfig.KmsKeyId``,
``OutputConfig.CompiledOutputConfig``) are filled where absent with a stand-in that validation
skips, as it skips the CDK tokens the construct puts there; ``JobName`` may be absent (it is then
generated); ``InputConfig.VolumeKmsKeyId`` and ``InputConfig.VpcConfig`` are optional anyway.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, cast

from infrec_cdk.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UnreadableError,
    read_json,
    warn,
)

__all__ = [
    "PROVISIONED",
    "FileResult",
    "Finding",
    "check_file",
    "check_request",
    "configure",
    "run",
    "with_provisioned_fields",
]

SCHEMA: Final = "infrec-validate/1"

HELP: Final = "check request JSON files as the construct does at synth time"
DESCRIPTION: Final = """\
Check CreateInferenceRecommendationsJob request files (the API's request syntax, as
examples/*.json and InferenceRecommendationsJob.from_request take them) with the checks the
construct runs at synth time: every constraint of botocore's model, and the documented service
rules, each problem naming its file and field path. Warnings are the rules graded as warnings
(ids infrec-cdk:...); they do not fail the check unless --strict.

RoleArn, OutputConfig, InputConfig.VolumeKmsKeyId, InputConfig.VpcConfig and JobName may be left
out: the construct provisions or generates them."""
EPILOG: Final = """\
exit status:
  0  every file is valid (warnings allowed, unless --strict)
  1  a file has an error (with --strict: or a warning)
  2  bad arguments, or a file that cannot be read or is not JSON

Problems go to stderr, one a line: FILE: error: PATH: PROBLEM (source: URL), or
FILE: warning [ID]: PATH: PROBLEM (source: URL).

--json prints one JSON object on stdout:
  {
    "schema": "infrec-validate/1",
    "valid": true,                   the exit status is 0
    "strict": false,
    "files": [
      {
        "file": "examples/default.json",
        "valid": true,
        "unreadable": null,          or why the file could not be read as JSON (exit 2)
        "errors": [
          {"path": "InputConfig.JobDurationInSeconds",
           "message": "99999 is above the maximum 18000",
           "source": null,           or the URL of the documentation the rule cites
           "text": "InputConfig.JobDurationInSeconds: 99999 is above the maximum 18000"}
        ],
        "warnings": [
          {"id": "infrec-cdk:spawnRateAboveDocumented", "path": "...", "message": "...",
           "source": "https://...", "text": "..."}
        ]
      }
    ]
  }"""


class _Provisioned:
    """Stands for a value the construct fills in at synth time (a CDK token there)."""

    def __repr__(self) -> str:
        return "<provisioned by the construct>"


PROVISIONED: Final = _Provisioned()
"""The stand-in for ``RoleArn`` and the ``OutputConfig`` parts the construct provisions."""


def with_provisioned_fields(request: Mapping[str, object]) -> dict[str, object]:
    """Return a copy of ``request`` with what ``from_request`` adds before it validates.

    As the construct does (``setdefault``, so a value given is kept and checked): ``RoleArn``
    and, in an ``OutputConfig`` object, ``KmsKeyId`` and ``CompiledOutputConfig.S3OutputUri``,
    each ``PROVISIONED``.
    """
    filled = dict(request)
    filled.setdefault("RoleArn", PROVISIONED)
    output_config = filled.setdefault("OutputConfig", {})
    if isinstance(output_config, dict):
        output = dict(output_config)
        output.setdefault("KmsKeyId", PROVISIONED)
        output.setdefault("CompiledOutputConfig", {"S3OutputUri": PROVISIONED})
        filled["OutputConfig"] = output
    return filled


def _is_provisioned(value: object) -> bool:
    return value is PROVISIONED


# A finding reads "Path: problem (source: URL)"; a path renders as infrec_cdk._checks.render_path
# does: "request", or members joined by ".", list indexes "[1]", odd keys as their repr "['a b']".
_QUOTED = r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\""""
_SEGMENT = rf"(?:\.[A-Za-z0-9_]+|\[\d+\]|\[(?:{_QUOTED})\])"
_FINDING = re.compile(
    rf"(?P<path>request|[A-Za-z0-9_]+{_SEGMENT}*|{_SEGMENT}+): (?P<message>.*?)"
    r"(?: \(source: (?P<source>\S+)\))?",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem of a request: its field path, what is wrong, and the rule's source."""

    path: str
    message: str
    source: str | None
    text: str
    id: str | None = None

    @classmethod
    def parse(cls, text: str, *, id: str | None = None) -> Finding:
        """Split a finding's text (``"Path: problem (source: URL)"``) into its parts."""
        match = _FINDING.fullmatch(text)
        if match is None:
            return cls(path="", message=text, source=None, text=text, id=id)
        return cls(
            path=match["path"], message=match["message"], source=match["source"], text=text, id=id
        )

    def as_json(self) -> dict[str, object]:
        """Return the finding as the ``--json`` report lists it."""
        shown: dict[str, object] = {} if self.id is None else {"id": self.id}
        return shown | {
            "path": self.path,
            "message": self.message,
            "source": self.source,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class FileResult:
    """What checking one file found."""

    file: str
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    unreadable: str | None = None

    def valid(self, *, strict: bool) -> bool:
        """Return whether the file passes (``strict``: its warnings fail it too)."""
        if self.unreadable is not None or self.errors:
            return False
        return not (strict and self.warnings)

    def as_json(self, *, strict: bool) -> dict[str, object]:
        """Return the file's entry of the ``--json`` report."""
        return {
            "file": self.file,
            "valid": self.valid(strict=strict),
            "unreadable": self.unreadable,
            "errors": [finding.as_json() for finding in self.errors],
            "warnings": [finding.as_json() for finding in self.warnings],
        }


def check_request(request: object) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Return the errors and warnings of ``request``, as ``from_request`` would find them."""
    # Imported here: `infrec estimate` and `infrec report` need none of the model's patterns.
    from infrec_cdk._validation import validate_request

    if isinstance(request, Mapping):
        document: object = with_provisioned_fields(request)
        generated = "JobName" not in request
    else:
        document, generated = request, False  # reported as "request: ... is not an object"
    report = validate_request(
        cast("Mapping[str, object]", document),
        job_name_generated=generated,
        is_unresolved=_is_provisioned,
    )
    errors = tuple(Finding.parse(text) for text in report.errors)
    warnings = tuple(Finding.parse(w.message, id=w.id) for w in report.warnings)
    return errors, warnings


def check_file(path: str) -> FileResult:
    """Return what checking the request in the file at ``path`` finds."""
    try:
        request = read_json(path)
    except UnreadableError as error:
        return FileResult(file=path, unreadable=str(error))
    errors, warnings = check_request(request)
    return FileResult(file=path, errors=errors, warnings=warnings)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments to ``parser``."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="a request JSON file")
    parser.add_argument(
        "--strict", action="store_true", help="fail on warnings too (as `cdk synth --strict`)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print a machine-readable report on stdout"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def run(args: argparse.Namespace) -> int:
    """Check every file; return the exit status."""
    files: Sequence[str] = args.files
    strict: bool = args.strict
    results = [check_file(path) for path in files]
    for result in results:
        if result.unreadable is not None:
            warn(result.unreadable)
        for finding in result.errors:
            warn(f"{result.file}: error: {finding.text}")
        for finding in result.warnings:
            warn(f"{result.file}: warning [{finding.id}]: {finding.text}")
    unreadable = sum(result.unreadable is not None for result in results)
    errors = sum(len(result.errors) for result in results)
    warnings = sum(len(result.warnings) for result in results)
    if unreadable:
        status = EXIT_USAGE
    elif all(result.valid(strict=strict) for result in results):
        status = EXIT_OK
    else:
        status = EXIT_FAILED
    summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    if unreadable:
        summary += f", {unreadable} unreadable"
    failed = sum(not result.valid(strict=strict) for result in results)
    verdict = (
        f"{_plural(len(results), 'file')} valid"
        if failed == 0
        else f"{failed} of {_plural(len(results), 'file')} not valid"
    )
    warn(f"infrec validate: {verdict} ({summary})")
    if args.json:
        report = {
            "schema": SCHEMA,
            "valid": status == EXIT_OK,
            "strict": strict,
            "files": [result.as_json(strict=strict) for result in results],
        }
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return status
