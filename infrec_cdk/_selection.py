"""The waiter's ranking of recommendations, for the command line: one implementation, not two.

The waiter Lambda picks a job's top recommendation with ``lambda/selection.py``, which ships in
its asset. ``infrec report`` ranks with that same file rather than a copy, so what it marks as top
is what a deployed ``Wait(...)`` with the same objective and limits would pick. The file is found
where the Lambda code is (``handler_code_dir``): inside an installed wheel,
``infrec_cdk/_lambda/`` (hatch's ``force-include``); in a source checkout, ``lambda/``. It is
loaded by path under the name ``infrec_cdk._lambda.selection`` (``lambda`` is a keyword: the
folder is never a package), and needs nothing but the standard library.

mypy reads the same file through ``mypy_path = "lambda"``, so every use is type-checked.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from infrec_cdk._lambda_code import handler_code_dir

__all__ = ["handler_code_dir", "selection"]

_MODULE_NAME = "infrec_cdk._lambda.selection"


def _load() -> ModuleType:
    """Return ``selection.py`` of the Lambda code as a module (loaded once per process)."""
    loaded = sys.modules.get(_MODULE_NAME)
    if loaded is not None:
        return loaded
    path = handler_code_dir() / "selection.py"
    spec = importlib.util.spec_from_file_location(_MODULE_NAME, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py path always has a loader
        raise ImportError(f"cannot load the waiter's ranking from {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs: dataclasses look their module up while it is being defined.
    sys.modules[_MODULE_NAME] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_MODULE_NAME]
        raise
    return module


if TYPE_CHECKING:
    import selection
else:
    selection = _load()
