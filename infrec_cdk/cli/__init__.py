"""``infrec``: check, estimate and read Inference Recommender jobs from a shell or CI.

Three commands, one module each:

* ``infrec validate FILE...`` (``infrec_cdk.cli.validate``): the construct's synth-time checks
  of request JSON files;
* ``infrec estimate FILE...`` (``infrec_cdk.cli.estimate``): a request's worst-case
  instance-hours, and dollars at given prices;
* ``infrec report SOURCE`` (``infrec_cdk.cli.report``): a finished job's recommendations,
  ranked as the waiter ranks them, as a table and a cost-versus-latency chart.

None of them imports ``aws_cdk`` or starts jsii's Node.js; each imports what it needs when it
runs (boto3 only to read S3 or SageMaker, rich and matplotlib only to render).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from infrec_cdk.cli import estimate, report, validate
from infrec_cdk.cli._common import EXIT_USAGE, UnreadableError, warn

__all__ = ["build_parser", "main"]

_Command = tuple[
    str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]
]


class _Version(argparse.Action):
    """``--version``: print the installed version and exit (read only when asked: 40 ms)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        del namespace, values, option_string
        import importlib.metadata

        try:
            version = importlib.metadata.version("infrec-cdk")
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a bare source tree
            version = "unknown"
        sys.stdout.write(f"{parser.prog} {version}\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of ``infrec`` and its commands."""
    parser = argparse.ArgumentParser(
        prog="infrec",
        description=(
            "Check, estimate and report SageMaker Inference Recommender jobs, with the checks "
            "and rankings of the infrec-cdk constructs, without CDK or Node.js."
        ),
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="show the version of infrec-cdk and exit"
    )
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    commands.required = True
    for module in (validate, estimate, report):
        name = module.__name__.rsplit(".", 1)[-1]
        command = commands.add_parser(
            name,
            help=module.HELP,
            description=module.DESCRIPTION,
            epilog=module.EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``infrec`` with ``argv`` (default: the process's arguments); return the exit status."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except UnreadableError as error:
        warn(f"infrec {args.command}: {error}")
        return EXIT_USAGE
