"""``infrec report SOURCE``: a finished job's recommendations, ranked as the waiter ranks them.

The ranking is the waiter's own code (``infrec_cdk._selection`` loads ``lambda/selection.py``):
the row marked top is the recommendation a waiting job with the same objective and limits
exposes as ``job.recommended``. SOURCE is the archive the waiter writes (``describe.json``,
a local copy or its ``s3://`` URI) or a job name, described through boto3.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from infrec_cdk._selection import selection
from infrec_cdk.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    REPORT_EXTRA,
    UnreadableError,
    columns,
    parse_json,
    read_json,
    warn,
)

__all__ = [
    "CHART_SUFFIXES",
    "Report",
    "Row",
    "build_report",
    "configure",
    "load",
    "objective_name",
    "run",
]

DEFAULT_OBJECTIVE: Final = "LowestCostPerInference"  # Objective.LOWEST_COST_PER_INFERENCE
CHART_SUFFIXES: Final = (".png", ".svg", ".html")
# DescribeInferenceRecommendationsJob's JobName (botocore's RecommendationJobName): no "/" or ".",
# so a SOURCE that is not an existing file and matches is a job name.
_JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}")
_TOP_MARK: Final = "*"
_UNLIMITED_WIDTH: Final = 10_000
_NONE: Final = "-"

HELP: Final = "show a finished job's recommendations, ranked, as a table and a chart"
DESCRIPTION: Final = """\
Show every recommendation of a finished job (instance type, or serverless memory and max
concurrency; instance count; cost per hour and per inference; model latency and its percentile;
max invocations per minute; environment parameters), ranked by --objective exactly as the waiter
ranks them (lambda/selection.py), the top one marked: the recommendation a waiting
InferenceRecommendationsJob with the same Wait(objective=..., max_model_latency=...,
max_cost_per_hour=..., endpoint_type=...) exposes as job.recommended.

SOURCE is one of:
  PATH             a results archive: the describe.json the waiter writes to
                   s3://<bucket>/<job prefix>/results/<job name>/describe.json, copied here
  s3://BUCKET/KEY  that archive in S3 (boto3's credentials; AWS_ENDPOINT_URL_S3 is honoured)
  JOB_NAME         a job, read with DescribeInferenceRecommendationsJob (boto3's credentials
                   and region; AWS_ENDPOINT_URL_SAGEMAKER is honoured)"""
EPILOG: Final = f"""\
objectives (infrec_cdk.Objective): LowestCostPerInference (the default), LowestCostPerHour,
LowestLatency, HighestMaxInvocations; ties go to the lower cost per hour, then the
recommendation id. A missing metric ranks last.

The latency percentile is the one of the job's latency stopping condition
(StoppingConditions.ModelLatencyThresholds), when it has one; SageMaker does not say which
percentile ModelLatency is otherwise, nor (consistently) its unit.

--chart FILE.png, FILE.svg or FILE.html writes the cost-versus-latency scatter: cost per
inference (cost per hour with --objective LowestCostPerHour) against model latency, the Pareto
front (the recommendations no other one beats on both: lowest cost for a given latency)
highlighted and the top recommendation labelled. The HTML page is self-contained (an inline
SVG, the top recommendation in words, and the table).

Rich tables and charts need the report extra: {REPORT_EXTRA}. Without it the table is plain
text, and --chart exits 2 saying so.

exit status:
  0  the table (and chart) were written, and there is a top recommendation
  1  nothing to rank: no recommendation (yet), or none meets the limits
  2  bad arguments, a SOURCE that cannot be read (a missing file, invalid JSON, an S3 or
     SageMaker error), or --chart without the report extra"""


def objective_name(text: str) -> str:
    """Return the objective ``text`` names: its value or enum name, in any case, ``-`` or ``_``."""
    folded = text.replace("-", "").replace("_", "").casefold()
    for name in selection.OBJECTIVES:
        if name.casefold() == folded:
            return name
    raise argparse.ArgumentTypeError(
        f"{text!r} is not an objective: use one of {', '.join(selection.OBJECTIVES)}"
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of 0 or more")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments to ``parser``."""
    parser.add_argument("source", metavar="SOURCE", help="describe.json, its s3:// URI, or a job")
    parser.add_argument(
        "--objective",
        type=objective_name,
        default=DEFAULT_OBJECTIVE,
        help=f"what makes a recommendation top (default: {DEFAULT_OBJECTIVE})",
    )
    parser.add_argument(
        "--max-model-latency",
        type=_positive,
        metavar="N",
        help="only recommendations whose ModelLatency is at most N (as Wait's)",
    )
    parser.add_argument(
        "--max-cost-per-hour",
        type=_positive,
        metavar="USD",
        help="only recommendations costing at most USD per hour (as Wait's)",
    )
    parser.add_argument(
        "--endpoint-type",
        choices=("RealTime", "Serverless"),
        help="only real-time or only serverless recommendations (as Wait's)",
    )
    parser.add_argument(
        "--chart",
        metavar="FILE",
        help="write the cost-versus-latency chart to FILE.png, FILE.svg or FILE.html",
    )
    parser.add_argument("--region", help="the AWS region of the job or bucket (boto3's default)")
    parser.add_argument("--profile", help="the AWS profile to use (boto3's default)")


# --- reading the source ---------------------------------------------------------------------


def _session(region: str | None, profile: str | None) -> Any:  # noqa: ANN401 (boto3 is untyped here)
    import boto3

    return boto3.Session(region_name=region, profile_name=profile)


def _from_s3(uri: str, region: str | None, profile: str | None) -> object:
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise UnreadableError(f"{uri}: expected s3://BUCKET/KEY")
    try:
        s3 = _session(region, profile).client("s3")
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (BotoCoreError, ClientError) as error:
        raise UnreadableError(f"{uri}: cannot be read from S3 ({error})") from None
    return parse_json(body, uri)


def _from_job(name: str, region: str | None, profile: str | None) -> object:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        sagemaker = _session(region, profile).client("sagemaker")
        answer: Mapping[str, object] = sagemaker.describe_inference_recommendations_job(
            JobName=name
        )
    except (BotoCoreError, ClientError) as error:
        raise UnreadableError(f"job {name}: cannot be described ({error})") from None
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


def load(source: str, *, region: str | None = None, profile: str | None = None) -> object:
    """Return the DescribeInferenceRecommendationsJob answer ``source`` holds or names.

    Raises
    ------
    UnreadableError
        When it cannot be read: a missing file, invalid JSON, an S3 or SageMaker error.

    """
    if source.startswith("s3://"):
        return _from_s3(source, region, profile)
    if not Path(source).exists() and _JOB_NAME.fullmatch(source):
        return _from_job(source, region, profile)
    return read_json(source)


# --- ranking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One recommendation in the table: its place, whether it is top, why the limits drop it."""

    candidate: selection.Candidate
    rank: int | None
    top: bool = False
    excluded: str | None = None

    @property
    def label(self) -> str:
        """The instance type, the serverless configuration, or the existing endpoint's name."""
        candidate = self.candidate
        if candidate.instance_type:
            return candidate.instance_type
        if candidate.serverless_memory_size_in_mb is not None:
            concurrency = candidate.serverless_max_concurrency
            shown = _NONE if concurrency is None else str(concurrency)
            return (
                f"serverless {candidate.serverless_memory_size_in_mb} MB, max concurrency {shown}"
            )
        return candidate.endpoint_name or _NONE


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """A job's recommendations, ranked, and its top one (or why there is none)."""

    job_name: str
    job_type: str
    status: str
    failure_reason: str
    objective: str
    percentile: str
    rows: tuple[Row, ...]
    top: selection.Candidate | None
    no_top: str | None

    @property
    def title(self) -> str:
        """One line naming the job and the ranking."""
        count = len(self.rows)
        noun = "recommendation" if count == 1 else "recommendations"
        facts = ", ".join(part for part in (self.job_type, self.status) if part)
        return (
            f"Job {self.job_name or _NONE}{f' ({facts})' if facts else ''}: {count} {noun}, "
            f"ranked by {self.objective}"
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _percentile(describe: Mapping[str, object]) -> str:
    stopping = describe.get("StoppingConditions")
    thresholds = stopping.get("ModelLatencyThresholds") if isinstance(stopping, Mapping) else None
    for threshold in thresholds if isinstance(thresholds, list) else []:
        if isinstance(threshold, Mapping) and _text(threshold.get("Percentile")):
            return _text(threshold["Percentile"])
    return ""


def build_report(
    describe: object, objective: str = DEFAULT_OBJECTIVE, limits: selection.Limits | None = None
) -> Report:
    """Rank the recommendations of a Describe answer as the waiter does.

    Rows meeting the limits come first, in ``selection.rank``'s order; the first of them is
    ``selection.select``'s choice, the waiter's top. Rows the limits exclude follow, saying why.
    """
    answer: Mapping[str, object] = describe if isinstance(describe, Mapping) else {}
    limits = limits or selection.Limits()
    found = selection.candidates(answer)
    chosen = selection.select(found, objective, limits)
    top = None if isinstance(chosen, str) else chosen
    ordered = selection.rank(found, objective)
    misses = [selection.misses(candidate, limits) for candidate in ordered]
    kept = [c for c, miss in zip(ordered, misses, strict=True) if miss is None]
    rows = [Row(candidate=c, rank=i, top=c is top) for i, c in enumerate(kept, start=1)]
    rows += [
        Row(candidate=c, rank=None, excluded=miss)
        for c, miss in zip(ordered, misses, strict=True)
        if miss is not None
    ]
    return Report(
        job_name=_text(answer.get("JobName")),
        job_type=_text(answer.get("JobType")),
        status=_text(answer.get("Status")),
        failure_reason=_text(answer.get("FailureReason")),
        objective=objective,
        percentile=_percentile(answer),
        rows=tuple(rows),
        top=top,
        no_top=chosen if isinstance(chosen, str) else None,
    )


# --- showing it -----------------------------------------------------------------------------

HEADERS: Final = (
    "",
    "#",
    "Instance type",
    "Count",
    "USD/hour",
    "USD/inference",
    "Latency",
    "Pctl",
    "Max inv/min",
    "Environment",
)
_RIGHT: Final = (False, True, False, True, True, True, True, False, True, False)


def number(value: float | None) -> str:
    """Return a metric for a table: whole numbers as such, others to four significant digits."""
    if value is None:
        return _NONE
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def cells(row: Row, report: Report, *, mark: str = _TOP_MARK) -> list[str]:
    """Return the table cells of ``row``, as ``HEADERS`` names them."""
    candidate = row.candidate
    count = candidate.initial_instance_count
    environment = " ".join(f"{key}={value}" for key, value in candidate.environment.items())
    if row.excluded is not None:
        environment = f"{environment}  (excluded: {row.excluded})".strip()
    return [
        mark if row.top else "",
        _NONE if row.rank is None else str(row.rank),
        row.label,
        "" if count is None else str(count),
        number(candidate.cost_per_hour),
        number(candidate.cost_per_inference),
        number(candidate.model_latency),
        report.percentile or _NONE,
        number(candidate.max_invocations),
        environment,
    ]


def top_line(report: Report) -> str:
    """Return one line naming the top recommendation and its figures."""
    top = report.top
    if top is None:
        return f"No top recommendation: {report.no_top}"
    row = next(row for row in report.rows if row.top)
    count = "" if top.initial_instance_count is None else f" x {top.initial_instance_count}"
    latency = number(top.model_latency)
    if report.percentile:
        latency += f" ({report.percentile})"
    return (
        f"Top ({report.objective}): {row.label}{count}: {number(top.cost_per_hour)} USD/hour, "
        f"{number(top.cost_per_inference)} USD/inference, model latency {latency}, "
        f"{number(top.max_invocations)} invocations/min"
        + (f"; recommendation {top.recommendation_id}" if top.recommendation_id else "")
    )


def _print_plain(report: Report) -> None:
    rows = [list(HEADERS), *(cells(row, report) for row in report.rows)]
    lines = [report.title, *columns(rows, _RIGHT)]
    sys.stdout.write("\n".join(lines) + "\n")


def _print_rich(report: Report) -> bool:
    """Print the table with rich; return False when rich is not installed."""
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    except ImportError:
        return False
    console = Console(highlight=False)
    if not console.is_terminal:
        # A pipe, a file or a CI log: each row on one line, whatever COLUMNS says (the table is
        # as wide as its cells, never padded to the width).
        console.width = _UNLIMITED_WIDTH
    table = Table()
    for header, right in zip(HEADERS, _RIGHT, strict=True):
        # In a narrow terminal, names and environments wrap; figures are never cut.
        wraps = header in {"Instance type", "Environment"}
        table.add_column(
            header,
            justify="right" if right else "left",
            no_wrap=not wraps,
            min_width=12 if wraps else max(len(header), 1),
        )
    for row in report.rows:
        style = "bold green" if row.top else ("dim" if row.excluded else "")
        table.add_row(
            *(Text(cell) for cell in cells(row, report, mark="\N{BLACK STAR}")), style=style
        )
    console.print(Text(report.title, style="bold"))
    console.print(table)
    return True


def run(args: argparse.Namespace) -> int:
    """Show the report (and write the chart); return the exit status."""
    chart: Path | None = None if args.chart is None else Path(args.chart)
    if chart is not None:
        if chart.suffix.lower() not in CHART_SUFFIXES:
            warn(f"infrec report: --chart {chart}: use a .png, .svg or .html file")
            return EXIT_USAGE
        if importlib.util.find_spec("matplotlib") is None:  # the report extra is not installed
            warn(f"infrec report: --chart needs matplotlib, in the report extra: {REPORT_EXTRA}")
            return EXIT_USAGE
    describe = load(args.source, region=args.region, profile=args.profile)
    limits = selection.Limits(
        max_model_latency=args.max_model_latency,
        max_cost_per_hour=args.max_cost_per_hour,
        endpoint_type=args.endpoint_type,
    )
    report = build_report(describe, args.objective, limits)
    if not report.rows:
        why = f": {report.failure_reason}" if report.failure_reason else ""
        state = f"job {report.job_name} is {report.status}{why}" if report.status else args.source
        warn(f"infrec report: {state}: no recommendations to rank")
        return EXIT_FAILED
    if report.status and report.status != "COMPLETED":
        warn(f"infrec report: job {report.job_name} is {report.status}: the results may be partial")
    if not _print_rich(report):
        _print_plain(report)
    sys.stdout.write(top_line(report) + "\n")
    if chart is not None:
        from infrec_cdk.cli.chart import write_chart

        write_chart(chart, report)
        warn(f"infrec report: wrote {chart}")
    if report.top is None:
        warn(f"infrec report: no top recommendation: {report.no_top}")
        return EXIT_FAILED
    return EXIT_OK
