"""Parallel runs (pytest-xdist): ``-n 2`` gives exactly the serial results, a server with unusable evidence
errors once in both, and each evidence file is read at most once per process, only by the workers whose
test groups (one per pool, ``--dist loadgroup`` in pytest.ini) need it."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from selftest.harness import SuiteRun, run_suite
from sfbcheck import targets
from sfbcheck.evidence import EvidenceStore
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.faults import apply
from sfbcheck.plugin import xdist_group

FAULTS = ["edge02-route-not-persistent", "fe02-intermediate-in-root"]
BROKEN = "fe04.contoso.local"  # its evidence file is cut off: errors once, its other tests are skipped


def outcomes(run: SuiteRun) -> set[tuple[str, str]]:
    return {(r["nodeid"], r["outcome"]) for r in run.results}


def evidence_reads(run: SuiteRun) -> dict[str, dict[str, int]]:
    return json.loads((run.report_dir / "latest.json").read_text())["evidence_reads"]


def groups_needing(inventory_path: Path) -> dict[str, set[str]]:
    """server -> the xdist groups with a case (of any target) that needs its evidence: an upper bound."""
    inventory = load_inventory(inventory_path)
    store = EvidenceStore(inventory.evidence_dir)
    needing: dict[str, set[str]] = {}
    for generate in targets.TARGETS.values():
        for case in generate(inventory, store):
            for server in case.needs:
                needing.setdefault(server.lower(), set()).add(xdist_group(inventory, case))
    return needing


def test_parallel_run_gives_the_serial_results(clean_lab: Any, tmp_path: Path) -> None:
    inventory = apply(clean_lab.copy(), FAULTS).write(tmp_path / "lab")
    broken = inventory.parent / "evidence" / f"{BROKEN}.json"
    broken.write_text(broken.read_text()[:400], encoding="utf-8")

    serial = run_suite(inventory, tmp_path / "serial", "-n", "0")
    parallel = run_suite(inventory, tmp_path / "parallel", "-n", "2", "--force-parallel")

    assert serial.results and serial.returncode == 1, serial.stdout[-3000:]
    assert parallel.returncode == serial.returncode, parallel.stdout[-3000:]
    assert outcomes(parallel) == outcomes(serial)
    assert len(parallel.results) == len(serial.results)
    for run in (serial, parallel):
        errors = [r for r in run.results if r["outcome"] == "error"]
        assert len(errors) == 1 and BROKEN in errors[0]["message"], errors
        skipped = [r for r in run.results if r["outcome"] == "skipped" and r["host"] == BROKEN]
        assert skipped and all(BROKEN in r["message"] for r in skipped)  # others may skip as "does not apply"
        assert {("EDGE-ROUTE-01", "edge02.contoso.local"), ("STORE-01", "fe02.contoso.local")} <= run.failures


Reads = tuple[Path, dict[str, dict[str, int]], dict[str, dict[str, int]]]


@pytest.fixture(scope="module")
def reads(clean_lab: Any, tmp_path_factory: pytest.TempPathFactory) -> Reads:
    """The clean lab judged serially and with -n 2 (once for both tests below): the evidence reads of each."""
    tmp_path = tmp_path_factory.mktemp("reads")
    inventory = clean_lab.write(tmp_path / "lab")
    serial = evidence_reads(run_suite(inventory, tmp_path / "serial", "-n", "0"))
    parallel = evidence_reads(run_suite(inventory, tmp_path / "parallel", "-n", "2", "--force-parallel"))
    return inventory, serial, parallel


def test_each_evidence_file_is_read_at_most_once_per_process(reads: Reads) -> None:
    _, serial, parallel = reads
    assert list(serial) == ["main"] and set(parallel) == {"gw0", "gw1"}
    for reads in (*serial.values(), *parallel.values()):
        assert reads and set(reads.values()) == {1}, reads
    assert set().union(*parallel.values()) == set(serial["main"])


def test_a_worker_reads_only_the_evidence_its_groups_need(reads: Reads) -> None:
    inventory, _, parallel = reads
    workers_reading = Counter(server for reads in parallel.values() for server in reads)
    needing = groups_needing(inventory)
    for server, workers in workers_reading.items():
        assert workers <= len(needing[server]), f"{server} read by {workers} workers, needed by {needing[server]}"


def test_parallel_that_cannot_pay_runs_serially_and_says_why(clean_lab: Any, tmp_path: Path) -> None:
    """-n N with N cores or fewer: one process judges, with the reason in the header and a warning."""
    cores = len(os.sched_getaffinity(0))
    run = run_suite(clean_lab.write(tmp_path / "lab"), tmp_path / "reports", "-n", str(cores), fresh_process=True)
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"-n {cores} on {cores} core(s) would be slower than one process" in run.stdout
    assert "running serially; --force-parallel runs the workers anyway" in run.stdout
    assert list(evidence_reads(run)) == ["main"]  # no worker ran
