"""``infrec estimate FILE...``: the worst-case instance-hours of request files, and their price.

The figures are the construct's own (``infrec_cdk._estimate``, the ``infrec-cdk:instanceHours``
warning and ``max_instance_hours=``): per instance type, and a total; ``--prices`` and ``--price``
add dollars as the recommender's ``instance_prices=`` does.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from infrec_cdk._estimate import SERVERLESS, InstanceHoursEstimate, estimate_instance_hours
from infrec_cdk._estimate import _hours as hours_text
from infrec_cdk.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UnreadableError,
    columns,
    read_json,
    warn,
)

__all__ = ["configure", "estimate_file", "parse_prices", "run"]

SCHEMA: Final = "infrec-estimate/1"

HELP: Final = "show a request's worst-case instance-hours (and dollars at given prices)"
DESCRIPTION: Final = """\
Show the worst-case instance-hours each request file may use, per instance type and in total,
as the construct's infrec-cdk:instanceHours warning and max_instance_hours= compute them:
Advanced jobs count endpoint configurations x environment-parameter combinations (at most
ResourceLimit.MaxNumberOfTests), each load test holding one instance for its traffic plus 15
minutes of setup, and bound the whole job by MaxParallelOfTests x its duration; a Default job
holds each candidate instance type for at most 45 minutes. What the estimate assumes where the
documentation is silent is listed under it."""
EPILOG: Final = """\
prices: --prices FILE.json holds {"ml.c5.xlarge": 0.238, ...} in USD per instance-hour (as
instance_prices=; "serverless" prices serverless endpoint-hours); --price TYPE=USD adds or
overrides one. Without a price for every instance type used, the total has no dollar figure.

exit status:
  0  every estimate is within --max-instance-hours (or none was given)
  1  an estimate exceeds --max-instance-hours
  2  bad arguments or prices, or a file that cannot be read or is not JSON

A request whose instance types are not known (a Default job without
ContainerConfig.SupportedInstanceTypes) has no bound: it warns, and does not fail, as the
construct does.

--json prints one JSON object on stdout:
  {
    "schema": "infrec-estimate/1",
    "max_instance_hours": null,      or the limit given
    "within_limit": true,            the exit status is 0
    "files": [
      {
        "file": "examples/advanced-stairs.json",
        "unreadable": null,          or why the file could not be read as JSON (exit 2)
        "instance_hours": {"ml.c6i.xlarge": 1.0833, "ml.c6i.2xlarge": 1.0833},
        "total": 2.1667,             null when nothing bounds it
        "shared_limit": null,        or the bound on all types together, each reaching its own
                                     figure but not all at once
        "tests": 2,                  load tests (or Default candidates) counted, or null
        "bound": "2 load tests x (50 min traffic + 15 min setup)",
        "assumptions": ["..."],
        "unknown": [],               field paths that could not be read
        "usd": {"ml.c6i.xlarge": 0.19},    hours x price, for the types with a price
        "total_usd": null,           worst-case USD, when every type used has a price
        "exceeds_limit": false
      }
    ]
  }"""


def _price(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UnreadableError(f"{where}: {text!r} is not a number of USD") from None
    if not math.isfinite(value) or value < 0:
        raise UnreadableError(f"{where}: {text!r} is not a price (USD, 0 or more)")
    return value


def parse_prices(file: str | None, pairs: Sequence[str]) -> dict[str, float]:
    """Return USD per instance-hour by instance type, from a JSON file and ``TYPE=USD`` pairs.

    Raises
    ------
    UnreadableError
        When the file cannot be read, is not an object of numbers, or a pair is malformed.

    """
    prices: dict[str, float] = {}
    if file is not None:
        document = read_json(file)
        if not isinstance(document, dict):
            raise UnreadableError(f"{file}: must be a JSON object of instance type to USD")
        for name, value in document.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise UnreadableError(f"{file}: {name}: {value!r} is not a number of USD")
            prices[name] = _price(str(value), f"{file}: {name}")
    for pair in pairs:
        name, equals, text = pair.partition("=")
        if not equals or not name:
            raise UnreadableError(f"--price {pair!r}: expected TYPE=USD, e.g. ml.c5.xlarge=0.238")
        prices[name.strip()] = _price(text.strip(), f"--price {name.strip()}")
    return prices


@dataclass(frozen=True, slots=True, kw_only=True)
class FileEstimate:
    """One file's estimate, or why it could not be read."""

    file: str
    estimate: InstanceHoursEstimate | None = None
    unreadable: str | None = None

    @property
    def bounded(self) -> bool:
        """Whether ``estimate.total`` bounds the job (the number of instance types is known)."""
        found = self.estimate
        return found is not None and (found.tests is not None or found.limit is not None)

    def exceeds(self, limit: float | None) -> bool:
        """Whether the bounded estimate is above ``limit``."""
        return (
            limit is not None
            and self.estimate is not None
            and self.bounded
            and self.estimate.total > limit
        )

    def as_json(self, prices: Mapping[str, float], limit: float | None) -> dict[str, object]:
        """Return the file's entry of the ``--json`` report."""
        found = self.estimate
        if found is None:
            return {"file": self.file, "unreadable": self.unreadable}
        return {
            "file": self.file,
            "unreadable": None,
            "instance_hours": {name: round(h, 4) for name, h in found.per_instance_type.items()},
            "total": round(found.total, 4) if self.bounded else None,
            "shared_limit": None if found.limit is None else round(found.limit, 4),
            "tests": found.tests,
            "bound": found.bound,
            "assumptions": list(found.assumptions),
            "unknown": list(found.unknown),
            "usd": {
                name: round(hours * prices[name], 4)
                for name, hours in found.per_instance_type.items()
                if name in prices
            },
            "total_usd": _total_usd(found, prices, bounded=self.bounded),
            "exceeds_limit": self.exceeds(limit),
        }


def _total_usd(
    found: InstanceHoursEstimate, prices: Mapping[str, float], *, bounded: bool
) -> float | None:
    if not bounded or not prices:
        return None
    cost = found.cost(prices)
    return None if cost is None else round(cost, 4)


def estimate_file(path: str) -> FileEstimate:
    """Return the estimate of the request in the file at ``path``."""
    try:
        request = read_json(path)
    except UnreadableError as error:
        return FileEstimate(file=path, unreadable=str(error))
    if not isinstance(request, dict):
        return FileEstimate(file=path, unreadable=f"{path}: not a request (a JSON object)")
    return FileEstimate(file=path, estimate=estimate_instance_hours(request))


def _usd(amount: float) -> str:
    return f"{amount:,.2f}"


def _table(
    found: InstanceHoursEstimate, prices: Mapping[str, float], *, bounded: bool
) -> list[str]:
    """Return the per-instance-type table, with a total row when the estimate is bounded."""
    priced = bool(prices)
    header = ["instance type", "instance-hours"] + (["USD/hour", "USD"] if priced else [])
    rows = [header]
    for name, hours in found.per_instance_type.items():
        if name == SERVERLESS:
            continue
        row = [name, f"{'up to ' if found.limit is not None else ''}{hours_text(hours)}"]
        if priced:
            price = prices.get(name)
            row += ["-", "-"] if price is None else [f"{price:g}", _usd(hours * price)]
        rows.append(row)
    if bounded:
        total = ["total", hours_text(found.total)]
        if priced:
            cost = found.cost(prices)
            total += ["", "n/a" if cost is None else _usd(cost)]
        rows.append(total)
    return columns(rows, [False, True, True, True][: len(header)])


def _unpriced(found: InstanceHoursEstimate, prices: Mapping[str, float]) -> list[str]:
    """Return the names with hours but no price (then the total has no dollar figure)."""
    return [
        name for name, hours in found.per_instance_type.items() if hours > 0 and name not in prices
    ]


def _notes(found: InstanceHoursEstimate, prices: Mapping[str, float]) -> list[str]:
    """Return what qualifies the figures: serverless hours, the bound, what was assumed."""
    notes = []
    unpriced = _unpriced(found, prices)
    if prices and unpriced:
        notes.append(f"no USD total: no price for {', '.join(unpriced)} (--price TYPE=USD)")
    serverless = found.per_instance_type.get(SERVERLESS)
    if serverless is not None:
        notes.append(
            f"serverless endpoints: {hours_text(serverless)} endpoint-hours (billed per use; "
            "not in the instance-hours total)"
        )
    if found.limit is not None:
        notes.append(
            "each instance type may reach its own figure, not all at once: the total bounds them"
        )
    notes.append(f"bound: {found.bound}")
    if found.unknown:
        notes.append(
            f"not readable (their documented worst case was used): {', '.join(found.unknown)}"
        )
    if found.assumptions:
        notes.append("assumed where the documentation is silent:")
        notes.extend(f"  - {assumption}" for assumption in found.assumptions)
    return notes


def render(result: FileEstimate, prices: Mapping[str, float]) -> list[str]:
    """Return the lines that show one file's estimate."""
    found = result.estimate
    if found is None:
        return []
    heading = (
        f"{result.file}: at most {hours_text(found.total)} instance-hours"
        if result.bounded
        else f"{result.file}: no bound on instance-hours (the instance types are not known)"
    )
    body = [*_table(found, prices, bounded=result.bounded), *_notes(found, prices)]
    return [heading, *(f"  {line}" for line in body)]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments to ``parser``."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="a request JSON file")
    parser.add_argument(
        "--prices", metavar="FILE.json", help="USD per instance-hour by instance type (JSON)"
    )
    parser.add_argument(
        "--price",
        action="append",
        default=[],
        metavar="TYPE=USD",
        help="USD per instance-hour of one instance type (repeatable; overrides --prices)",
    )
    parser.add_argument(
        "--max-instance-hours",
        type=float,
        metavar="N",
        help="exit 1 when a request could use more instance-hours than N",
    )
    parser.add_argument(
        "--json", action="store_true", help="print a machine-readable report on stdout"
    )


def run(args: argparse.Namespace) -> int:
    """Estimate every file; return the exit status."""
    limit: float | None = args.max_instance_hours
    if limit is not None and not (math.isfinite(limit) and limit > 0):
        warn(f"infrec estimate: --max-instance-hours {limit:g}: must be a positive number")
        return EXIT_USAGE
    prices = parse_prices(args.prices, args.price)
    results = [estimate_file(path) for path in args.files]
    lines: list[str] = []
    for result in results:
        if result.unreadable is not None:
            warn(result.unreadable)
            continue
        lines += [*render(result, prices), ""]
        if limit is not None and result.estimate is not None and not result.bounded:
            warn(
                f"{result.file}: warning: --max-instance-hours {limit:g} cannot be checked: the "
                "instance types the job tests are not known; list them in "
                "ContainerConfig.SupportedInstanceTypes or EndpointConfigurations"
            )
        elif result.exceeds(limit) and result.estimate is not None:
            warn(
                f"{result.file}: error: could use {hours_text(result.estimate.total)} "
                f"instance-hours, above --max-instance-hours {limit:g}"
            )
    exceeded = any(result.exceeds(limit) for result in results)
    if any(result.unreadable is not None for result in results):
        status = EXIT_USAGE
    else:
        status = EXIT_FAILED if exceeded else EXIT_OK
    if args.json:
        report = {
            "schema": SCHEMA,
            "max_instance_hours": limit,
            "within_limit": status == EXIT_OK,
            "files": [result.as_json(prices, limit) for result in results],
        }
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(lines))
    return status
