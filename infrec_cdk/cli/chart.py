"""The cost-versus-latency chart of ``infrec report --chart``: PNG, SVG, or a self-contained page.

Every recommendation with both figures is a point: its model latency across, its cost up (cost
per inference; cost per hour when that is the objective). The Pareto front, the points no other
point beats on both (lowest cost for a given latency), is highlighted and joined; the top
recommendation is labelled. matplotlib draws it without pyplot (no global state, no display).
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from infrec_cdk.cli.report import HEADERS, Report, Row, cells, top_line

__all__ = ["Point", "chart_points", "pareto_front", "write_chart"]

_FRONT: Final = "#1f6fb4"
_OTHER: Final = "#9aa5b1"
_TOP: Final = "#c62828"

Point = tuple[float, float]


def pareto_front(points: Sequence[Point]) -> list[int]:
    """Return the indexes of the points no other point beats, by latency then cost.

    A point ``(latency, cost)`` is on the front when every other point at most as slow costs
    more: the lowest cost for its latency. Of equal points, the first is kept. Points outside
    the limits count too: the front shows what the job measured, the top what the limits allow.
    """
    front: list[int] = []
    cheapest = float("inf")
    for index in sorted(range(len(points)), key=lambda i: (points[i], i)):
        if points[index][1] < cheapest:
            front.append(index)
            cheapest = points[index][1]
    return front


def _cost_of(report: Report) -> tuple[str, str]:
    """Return the cost metric charted for the report's objective, and its axis label."""
    if report.objective == "LowestCostPerHour":
        return "cost_per_hour", "Cost per hour (USD)"
    return "cost_per_inference", "Cost per inference (USD)"


def chart_points(report: Report) -> tuple[list[Row], list[Point]]:
    """Return the rows with both a latency and a cost, and their points."""
    metric, _ = _cost_of(report)
    rows: list[Row] = []
    points: list[Point] = []
    for row in report.rows:
        latency = row.candidate.model_latency
        cost = getattr(row.candidate, metric)
        if latency is not None and cost is not None:
            rows.append(row)
            points.append((latency, cost))
    return rows, points


def _points(axes: Axes, rows: Sequence[Row], points: Sequence[Point], front: Sequence[int]) -> None:
    """Draw the points: the front in colour, the others grey; an x for those outside the limits."""
    on_front = set(front)
    for index, (row, point) in enumerate(zip(rows, points, strict=True)):
        excluded = row.excluded is not None
        color = _FRONT if index in on_front else _OTHER
        axes.scatter([point[0]], [point[1]], color=color, marker="x" if excluded else "o", zorder=3)
        if index in on_front and not row.top:
            axes.annotate(
                row.label, point, xytext=(6, 6), textcoords="offset points", fontsize=8, color=color
            )


def _legend(axes: Axes, rows: Sequence[Row], front: Sequence[int], objective: str) -> None:
    """Name what is drawn: the front, other points, points outside the limits, the top."""
    front_label = "Pareto front (lowest cost for its latency)"
    handles = [Line2D([], [], color=_FRONT, marker="o", label=front_label)]
    on_front = set(front)
    if any(i not in on_front and row.excluded is None for i, row in enumerate(rows)):
        handles.append(
            Line2D([], [], color=_OTHER, marker="o", linestyle="", label="other recommendation")
        )
    if any(row.excluded is not None for row in rows):
        handles.append(
            Line2D([], [], color=_OTHER, marker="x", linestyle="", label="outside the limits")
        )
    if any(row.top for row in rows):
        handles.append(
            Line2D(
                [],
                [],
                color=_TOP,
                marker="o",
                markerfacecolor="none",
                markersize=12,
                linestyle="",
                label=f"top by {objective}",
            )
        )
    axes.legend(handles=handles, loc="best", fontsize=8)


def _figure(report: Report) -> Figure:
    rows, points = chart_points(report)
    _, cost_label = _cost_of(report)
    figure = Figure(figsize=(8, 5), layout="constrained")
    figure.suptitle(report.title, fontsize=10)
    axes = figure.add_subplot()
    latency = "Model latency" + (f" ({report.percentile})" if report.percentile else "")
    axes.set_xlabel(f"{latency}, as SageMaker reports it")
    axes.set_ylabel(cost_label)
    axes.grid(visible=True, alpha=0.3)
    if not points:
        axes.text(0.5, 0.5, "no recommendation has both a latency and a cost", ha="center")
        return figure
    front = pareto_front(points)
    # The front as steps: the lowest cost within reach at each latency.
    axes.plot(
        [points[i][0] for i in front],
        [points[i][1] for i in front],
        color=_FRONT,
        drawstyle="steps-post",
        zorder=2,
    )
    _points(axes, rows, points, front)
    for row, point in zip(rows, points, strict=True):
        if row.top:
            axes.scatter(
                [point[0]],
                [point[1]],
                s=220,
                facecolors="none",
                edgecolors=_TOP,
                linewidths=2,
                zorder=4,
            )
            axes.annotate(
                f"top: {row.label}",
                point,
                xytext=(14, 14),
                textcoords="offset points",
                fontsize=9,
                fontweight="bold",
                color=_TOP,
                arrowprops={"arrowstyle": "->", "color": _TOP},
            )
    _legend(axes, rows, front, report.objective)
    return figure


def _svg(figure: Figure) -> str:
    # Reproducible SVG (fixed ids, no date); its text stays text (searchable, smaller).
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "infrec-cdk"}):
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _page(report: Report, svg: str) -> str:
    """Return a self-contained HTML page: the chart (inline SVG), the top in words, the table."""
    inline = svg[svg.index("<svg") :]  # without the XML declaration and doctype
    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADERS)
    body = "\n".join(
        f"<tr{' class=top' if row.top else ''}>"
        + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells(row, report, mark="\u2605"))
        + "</tr>"
        for row in report.rows
    )
    title = html.escape(report.title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #1b1f24; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ padding: 0.3em 0.7em; border-bottom: 1px solid #d0d7de; text-align: left; }}
tr.top {{ font-weight: bold; color: {_TOP}; }}
svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p id="top">{html.escape(top_line(report))}</p>
<figure>
{inline}
<figcaption>Cost against model latency; the Pareto front is highlighted.</figcaption>
</figure>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""


def write_chart(path: Path, report: Report) -> None:
    """Write the report's chart to ``path``, a ``.png``, ``.svg`` or ``.html`` file."""
    figure = _figure(report)
    suffix = path.suffix.lower()
    if suffix == ".png":
        figure.savefig(path, format="png", dpi=150)
    elif suffix == ".svg":
        path.write_text(_svg(figure), encoding="utf-8")
    elif suffix == ".html":
        path.write_text(_page(report, _svg(figure)), encoding="utf-8")
    else:
        raise ValueError(f"{path}: not a .png, .svg or .html file")
