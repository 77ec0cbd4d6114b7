"""``infrec estimate``: a request's worst-case instance-hours, as the construct estimates them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from infrec_cdk._estimate import estimate_instance_hours
from infrec_cdk.cli import main
from tests.cli_helpers import ROOT, infrec

PRICES = {"ml.c5.xlarge": 0.238, "ml.m5.xlarge": 0.23, "ml.g5.xlarge": 1.408, "serverless": 0.5}


@pytest.fixture(autouse=True)
def in_the_repository(monkeypatch):
    """The commands name files as given: run them from the repository, as its README does."""
    monkeypatch.chdir(ROOT)


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / f"{name}.json").read_text())
    return loaded


def write(path: Path, document: object) -> str:
    path.write_text(json.dumps(document))
    return str(path)


def test_the_examples_are_estimated_per_instance_type_with_a_total():
    result = infrec(
        "estimate",
        "examples/default.json",
        "examples/advanced-stairs.json",
        "--max-instance-hours",
        "3",
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "examples/default.json: at most 2.25 instance-hours" in lines
    assert "examples/advanced-stairs.json: at most 2.17 instance-hours" in lines
    for name in ("default", "advanced-stairs"):
        estimate = estimate_instance_hours(example(name))
        for instance_type, hours in estimate.per_instance_type.items():
            row = f"{instance_type} {hours:.2f}".rstrip("0")
            assert any(" ".join(line.split()).startswith(row) for line in lines), row
    assert "  bound: 2 load tests \N{MULTIPLICATION SIGN} (50 min traffic + 15 min setup)" in lines
    assert (
        "  bound: 45 min per candidate instance type: Default jobs complete within 45 minutes"
        in lines
    )


def test_prices_show_dollars_as_instance_prices_does(tmp_path, capsys):
    prices = write(tmp_path / "prices.json", {**PRICES, "ml.g5.xlarge": 99})

    status = main(
        [
            "estimate",
            "examples/advanced-phases.json",
            "--prices",
            prices,
            "--price",
            "ml.g5.xlarge=1.408",
        ]
    )

    assert status == 0
    out = capsys.readouterr().out
    estimate = estimate_instance_hours(example("advanced-phases"))
    cost = estimate.cost(PRICES)
    assert cost is not None
    rows = [" ".join(line.split()) for line in out.splitlines()]
    assert f"total 1.8 {cost:,.2f}" in rows
    assert "ml.g5.xlarge up to 0.45 1.408 0.63" in rows  # --price overrides the file
    serverless = "serverless endpoints: 0.45 endpoint-hours (billed per use; not in the "
    assert f"{serverless}instance-hours total)" in rows


def test_a_missing_price_leaves_the_total_without_dollars(capsys):
    assert main(["estimate", "examples/default.json", "--price", "ml.c5.xlarge=0.238"]) == 0

    rows = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert "ml.c5.xlarge 0.75 0.238 0.18" in rows
    assert "ml.m5.xlarge 0.75 - -" in rows
    assert "total 2.25 n/a" in rows
    assert "no USD total: no price for ml.m5.xlarge, ml.c6i.xlarge (--price TYPE=USD)" in rows


def test_an_estimate_above_max_instance_hours_exits_1(capsys):
    status = main(
        [
            "estimate",
            "examples/default.json",
            "examples/advanced-phases.json",
            "--max-instance-hours",
            "2",
        ]
    )

    assert status == 1
    err = capsys.readouterr().err
    assert (
        "examples/default.json: error: could use 2.25 instance-hours, above --max-instance-hours 2"
        in err
    )
    assert "advanced-phases.json: error" not in err  # 1.8 is within


def test_an_unbounded_estimate_warns_and_does_not_fail(tmp_path, capsys):
    request = copy.deepcopy(example("default"))
    del request["InputConfig"]["ContainerConfig"]["SupportedInstanceTypes"]
    path = write(tmp_path / "any-type.json", request)

    assert main(["estimate", "--json", path, "--max-instance-hours", "1"]) == 0

    captured = capsys.readouterr()
    assert f"{path}: warning: --max-instance-hours 1 cannot be checked" in captured.err
    (entry,) = json.loads(captured.out)["files"]
    assert entry["total"] is None
    assert entry["instance_hours"] == {"unknown": 0.75}


def test_the_json_report_lists_figures_assumptions_and_the_limit(capsys):
    status = main(
        ["estimate", "--json", "examples/advanced-phases.json", "--max-instance-hours", "1.5"]
        + [f"--price={name}={price}" for name, price in PRICES.items()]
    )

    assert status == 1
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "infrec-estimate/1"
    assert report["within_limit"] is False
    (entry,) = report["files"]
    estimate = estimate_instance_hours(example("advanced-phases"))
    assert entry["instance_hours"] == {
        n: round(h, 4) for n, h in estimate.per_instance_type.items()
    }
    assert entry["total"] == round(estimate.total, 4)
    assert entry["shared_limit"] == estimate.limit
    assert entry["assumptions"] == list(estimate.assumptions)
    assert entry["total_usd"] == round(estimate.cost(PRICES) or 0, 4)
    assert entry["exceeds_limit"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--price", "ml.c5.xlarge"], "expected TYPE=USD"),
        (["--price", "ml.c5.xlarge=cheap"], "'cheap' is not a number of USD"),
        (["--price", "ml.c5.xlarge=-1"], "is not a price"),
        (["--prices", "missing.json"], "missing.json: no such file"),
        (["--max-instance-hours", "0"], "must be a positive number"),
    ],
)
def test_bad_prices_or_limits_are_usage_errors(args, message, capsys):
    assert main(["estimate", "examples/default.json", *args]) == 2
    assert message in capsys.readouterr().err


def test_an_unreadable_request_exits_2(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{")

    assert main(["estimate", str(broken), "examples/default.json"]) == 2

    captured = capsys.readouterr()
    assert f"{broken}: not valid JSON" in captured.err
    assert "examples/default.json: at most 2.25 instance-hours" in captured.out
