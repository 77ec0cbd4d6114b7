"""The one exception type for bad input to infrec-cdk."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["InfrecValidationError"]


class InfrecValidationError(ValueError):
    """Raised at synth time when a job request breaks one or more rules.

    Every problem is listed, each naming its field path and the rule, e.g.
    ``InputConfig.TrafficPattern.Phases[1].DurationInSeconds: 60 is below the minimum 120``.

    Attributes
    ----------
    problems
        Every problem found, one string each.
    construct_path
        The path of the construct whose request broke them, when known.

    """

    def __init__(self, problems: Iterable[str], *, construct_path: str | None = None) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.construct_path = construct_path
        where = f" in {construct_path}" if construct_path else ""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"invalid inference recommendations job request{where} ({count} {noun}):\n{lines}"
        )
