"""The shipped compliance tests as plain functions, for judging without a pytest session.

Each ``test_*`` function of the suite (``tests/`` in a checkout, ``sfbcheck_suite`` when installed) that carries
``@pytest.mark.requirement`` is listed once with its requirement ID and argument names; the argument names choose
its target in :mod:`sfbcheck.targets`, exactly as the plugin parametrizes it. Used by the in-process self-tests and
the benchmark's checks-without-pytest floor.
"""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sfbcheck.resources import suite_dir


@dataclass(frozen=True)
class ComplianceTest:
    requirement: str
    name: str  # "test_edge_routing.py::test_internal_subnet_has_persistent_route"
    function: Callable[..., None]
    argnames: tuple[str, ...]


@cache
def compliance_tests(directory: Path | None = None) -> tuple[ComplianceTest, ...]:
    """Every compliance test function of the suite, in file order."""
    found = []
    for path in sorted((directory or suite_dir()).glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"sfbcheck_compliance_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, function in vars(module).items():
            marks = [m for m in getattr(function, "pytestmark", []) if m.name == "requirement"]
            if name.startswith("test_") and inspect.isfunction(function) and marks:
                found.append(ComplianceTest(str(marks[0].args[0]), f"{path.name}::{name}", function,
                                            tuple(inspect.signature(function).parameters)))
    return tuple(found)
