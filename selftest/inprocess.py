"""Judge a lab in-process through the compliance tests themselves (``tests/test_*.py``), no pytest run.

Each test function carrying ``@pytest.mark.requirement`` is called once per case of the target its argument
names choose (``sfbcheck.targets``), exactly as the plugin parametrizes it. A verdict is ``PASS``, ``FAIL``
(``assert_compliant`` failed), ``ERROR`` (cannot judge: EvidenceGap, or unusable evidence) or ``SKIP``.
Anything else a test raises is not caught: it is a bug the caller wants to see (the fuzz self-test).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sfbcheck import targets
from sfbcheck.errors import EvidenceError, EvidenceGap
from sfbcheck.evidence import RUNNER_FILE, Evidence, EvidenceStore
from sfbcheck.inventory import Inventory, load_inventory, validate
from sfbcheck.lab.model import Lab
from sfbcheck.suite import ComplianceTest, compliance_tests

PASS, FAIL, ERROR, SKIP = "PASS", "FAIL", "ERROR", "SKIP"


@dataclass(frozen=True)
class Verdict:
    requirement: str
    case: str
    host: str
    verdict: str
    message: str


def verdicts(inventory: Inventory, store: EvidenceStore) -> Iterator[Verdict]:
    """The verdict of every case of every compliance test."""
    for test in compliance_tests():
        chosen = targets.choose(list(test.argnames))
        if chosen is None:
            continue
        names, generate = chosen
        for case in generate(inventory, store):
            arguments = dict(zip(names, case.values, strict=True))
            yield Verdict(test.requirement, case.id, case.host, *_run(test, arguments, store, case.needs))


def _run(test: ComplianceTest, arguments: dict[str, object], store: EvidenceStore,
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


def judge(inventory: Inventory, store: EvidenceStore) -> dict[tuple[str, str], Verdict]:
    """(requirement, case id) -> verdict."""
    return {(v.requirement, v.case): v for v in verdicts(inventory, store)}


def judge_lab(lab: Lab, directory: Path) -> dict[tuple[str, str], Verdict]:
    """Write ``lab`` into ``directory`` and judge it."""
    inventory = load_inventory(lab.write(directory))
    return judge(inventory, EvidenceStore(inventory.evidence_dir))


def judge_in_memory(lab: Lab) -> dict[tuple[str, str], Verdict]:
    """Judge ``lab`` without writing it: its documents go straight into the store (what the loader would give)."""
    inventory = validate(lab.inventory)
    store = EvidenceStore(Path("(in memory)"))
    for fqdn, document in lab.evidence.items():
        store.put(Evidence(fqdn, Path(f"{fqdn}.json"), document))
    if lab.runner:
        store.put(Evidence("runner", Path(RUNNER_FILE), lab.runner))
    return judge(inventory, store)


def outcomes(found: dict[tuple[str, str], Verdict], requirement: str, host: str) -> set[str]:
    """The verdicts of every case of ``requirement`` about ``host``."""
    return {v.verdict for v in found.values() if v.requirement == requirement and v.host == host}
