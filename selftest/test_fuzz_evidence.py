"""Fuzzing every evidence section the facts layer reads (sfbcheck/evidence_model.py), judged in-process.

Each example damages one value of one section of one server of a lab that carries documented faults (so some
verdicts are failures): a wrong type, null, a missing or extra property, a huge value, NaN/Infinity or an odd
string. Every compliance test then runs on the damaged evidence. For every requirement:

* nothing but EvidenceGap / EvidenceError (cannot judge) escapes a check: no TypeError, KeyError, OverflowError…;
* a verdict that was FAIL never becomes PASS: damage is not compliance.

Damage is what Windows cannot emit for that value: another JSON type (a string where a number was, null, a list…),
NaN/Infinity, a missing property, an unknown extra property, or a list item unlike its siblings. A value of the
same type (``PartOfDomain`` False instead of True, another port number, another name) is a different observation,
not damage: it may rightly turn a failure into a pass (the both-ways proofs cover those), so for it only the first
rule is asserted.

The CI run uses the self-tests' "ci" profile (the same 100 examples every run, well under a minute);
``--hypothesis-profile=nightly`` (selftest/conftest.py) runs 5,000 fresh ones.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selftest.inprocess import FAIL, PASS, judge
from sfbcheck.evidence import RUNNER_FILE, Evidence, EvidenceStore
from sfbcheck.evidence_model import SECTIONS
from sfbcheck.inventory import validate
from sfbcheck.lab.faults import DEMO_FAULTS, FAULTS, apply

RUNNER_SECTIONS = ("DnsQuery", "HttpProbe", "TlsVersionProbe")
# faults whose failing verdicts the damage must not turn into passes (documented faults of every area)
FAULTS_UNDER_FUZZ = sorted({*DEMO_FAULTS, "edge01-replica-stale-report", "edge01-joined-to-internal-domain",
                            "fe05-tls-disabled-before-cu1", "litwareinc-not-allowed", "fe03-duplicate-root",
                            "edge02-access-edge-certificate-events", "fta-1017-edge01-https-unavailable",
                            "edge02-persistent-route-foreign-next-hop"} & set(FAULTS))

ODD_STRINGS = ["", " ", "\ud800", "\x00", "\ufeff", "\x1b[2J", "‮evil", "é" * 3, "x" * 100_000, "None", "null",
               "NaN", "-1", "0", "True", "/Date(abc)/", "9" * 5000]
DAMAGE = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 2**64, 10**30, math.nan, math.inf, -math.inf, 1.5, [], {}, [None],
                     {"x": 1}, [[[]]], {"Error": "Access is denied."}]),
    st.sampled_from(ODD_STRINGS),
    st.integers(), st.text(max_size=8),
)


class FuzzLab:
    """The faulty lab, validated and loaded once; a damaged copy of one server's document per example."""

    def __init__(self, lab: Any) -> None:
        self.lab = apply(lab.copy(), FAULTS_UNDER_FUZZ)
        self.inventory = validate(self.lab.inventory)
        self.documents = {**self.lab.evidence, "runner": self.lab.runner}
        self.baseline = judge(self.inventory, self.store())
        every = sorted((server, name) for server, document in self.documents.items()
                       for name in document["Sections"] if name in SECTIONS or name in RUNNER_SECTIONS)
        # sections of the servers whose verdicts are failures weigh more: damage there could hide a failure
        failing = {v.host for v in self.baseline.values() if v.verdict == FAIL} | {"runner",
                                                                                   self.inventory.cms_master.fqdn}
        self.targets = every + [t for t in every if t[0] in failing] * 3

    def store(self, server: str | None = None, document: dict[str, Any] | None = None) -> EvidenceStore:
        store = EvidenceStore(Path("(in memory)"))
        for name, doc in self.documents.items():
            doc = document if name == server and document is not None else doc
            store.put(Evidence(name, Path(RUNNER_FILE if name == "runner" else f"{name}.json"), doc))
        return store


@pytest.fixture(scope="module")
def fuzz_lab(clean_lab) -> FuzzLab:
    return FuzzLab(clean_lab)


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every dict and list inside a section (the section itself first)."""
    found = [path] if isinstance(value, (dict, list)) else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _containers(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _containers(child, (*path, index))
    return found


def _kind(value: Any) -> str:
    """The JSON type of a value as Windows' ConvertTo-Json could emit it; non-finite numbers are their own kind."""
    if isinstance(value, float) and not math.isfinite(value):
        return "non-finite"
    for kind, types in (("null", type(None)), ("bool", bool), ("int", int), ("float", float), ("str", str),
                        ("list", list), ("dict", dict)):
        if isinstance(value, types):
            return kind
    return type(value).__name__


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                HealthCheck.data_too_large])
@given(data=st.data())
def test_damaged_evidence_is_never_a_crash_and_never_a_pass(fuzz_lab, data):
    server, name = data.draw(st.sampled_from(fuzz_lab.targets), label="section")
    document = copy.deepcopy(fuzz_lab.documents[server])
    section = document["Sections"][name]
    paths = _containers(section)
    how = data.draw(st.sampled_from(["replace", "delete", "extra", "whole"] if paths else ["whole"]), label="how")
    damage = data.draw(DAMAGE, label="damage")
    if how == "whole":
        is_damage = _kind(damage) != _kind(section)
        document["Sections"][name] = damage
    else:
        path = data.draw(st.sampled_from(paths), label="path")
        container = _at(section, path)
        if how == "extra":
            if isinstance(container, dict):
                is_damage = True
                container["SfbFuzzExtra"] = damage
            else:
                is_damage = bool(container) and all(_kind(item) != _kind(damage) for item in container)
                container.append(damage)
        else:
            keys = list(container) if isinstance(container, dict) else list(range(len(container)))
            if not keys:
                return
            key = data.draw(st.sampled_from(keys), label="key")
            if how == "delete" and isinstance(container, dict):
                is_damage = True
                del container[key]
            else:
                is_damage = _kind(damage) != _kind(container[key])
                container[key] = damage
    found = judge(fuzz_lab.inventory, fuzz_lab.store(server, document))  # any other exception fails the test
    if not is_damage:
        return  # a different observation of the same type: it judges without crashing, whatever the verdict
    flipped = [(rid, case) for (rid, case), verdict in found.items()
               if verdict.verdict == PASS and fuzz_lab.baseline[(rid, case)].verdict == FAIL]
    assert not flipped, f"damage to {server} {name} turned failures into passes: {flipped}"
