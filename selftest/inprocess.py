"""Judge a lab in-process through the compliance tests themselves (``tests/test_*.py``), no pytest run.

Each test function carrying ``@pytest.mark.requirement`` is called once per case of the target its argument
names choose (``sfbcheck.targets``), exactly as the plugin parametrizes it. A verdict is ``PASS``, ``FAIL``
(``assert_compliant`` failed), ``ERROR`` (cannot judge: EvidenceGap, or unusable evidence) or ``SKIP``.
Anything else a test raises is not caught: it is a bug the caller wants to see (the fuzz self-test).
"""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from sfbcheck import targets
from sfbcheck.errors import EvidenceError, EvidenceGap
from sfbcheck.evidence import EvidenceStore
from sfbcheck.inventory import Inventory

TESTS = Path(__file__).resolve().parent.parent / "tests"
PASS, FAIL, ERROR, SKIP = "PASS", "FAIL", "ERROR", "SKIP"


@dataclass(frozen=True)
class RequirementTest:
    requirement: str
    function: Callable[..., None]
    argnames: tuple[str, ...]


@cache
def requirement_tests() -> tuple[RequirementTest, ...]:
    """Every compliance test function of ``tests/``, with its requirement ID and argument names."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"sfbcheck_compliance_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, function in vars(module).items():
            marks = [m for m in getattr(function, "pytestmark", []) if m.name == "requirement"]
            if name.startswith("test_") and marks:
                found.append(RequirementTest(marks[0].args[0], function,
                                             tuple(inspect.signature(function).parameters)))
    return tuple(found)


def verdicts(inventory: Inventory, store: EvidenceStore) -> Iterator[tuple[str, str, str, str]]:
    """(requirement, case id, verdict, message) for every case of every compliance test."""
    for test in requirement_tests():
        chosen = targets.choose(list(test.argnames))
        if chosen is None:
            continue
        names, generate = chosen
        for case in generate(inventory, store):
            yield test.requirement, case.id, *_run(test, dict(zip(names, case.values, strict=True)), store,
                                                   case.needs)


def _run(test: RequirementTest, arguments: dict[str, object], store: EvidenceStore,
         needs: tuple[str, ...]) -> tuple[str, str]:
    try:
        for server in needs:
            store.get(server)
        test.function(**{name: arguments[name] for name in test.argnames})
    except (EvidenceGap, EvidenceError) as exc:
        return ERROR, str(exc)
    except pytest.fail.Exception as exc:
        return FAIL, str(exc)
    except pytest.skip.Exception as exc:
        return SKIP, str(exc)
    return PASS, ""


def judge(inventory: Inventory, store: EvidenceStore) -> dict[tuple[str, str], tuple[str, str]]:
    """(requirement, case id) -> (verdict, message)."""
    return {(rid, case): (verdict, message) for rid, case, verdict, message in verdicts(inventory, store)}
