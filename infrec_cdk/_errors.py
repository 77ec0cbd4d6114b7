"""The one exception type for bad input to infrec-cdk."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from types import TracebackType

__all__ = ["InfrecValidationError", "install_excepthook"]


class InfrecValidationError(ValueError):
    """Raised at synth time when a job request breaks one or more rules.

    Every problem is listed, each naming its field path and the rule, e.g.
    ``InputConfig.TrafficPattern.Phases[1].DurationInSeconds: 60 is below the minimum 120``.
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


def _show_without_traceback(
    previous: Callable[[type[BaseException], BaseException, TracebackType | None], object],
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    def hook(
        kind: type[BaseException], error: BaseException, traceback: TracebackType | None
    ) -> None:
        if isinstance(error, InfrecValidationError):
            sys.stderr.write(f"infrec-cdk: {error}\n")
            return
        previous(kind, error, traceback)

    hook.infrec_cdk = True  # type: ignore[attr-defined]
    return hook


def install_excepthook() -> None:
    """Show an uncaught ``InfrecValidationError`` as its message alone, not as a traceback.

    The message already names every field and rule; a traceback through CDK and jsii frames
    only hides it. Other exceptions keep the previous hook.
    """
    if not getattr(sys.excepthook, "infrec_cdk", False):
        sys.excepthook = _show_without_traceback(sys.excepthook)
