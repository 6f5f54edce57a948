"""Every requirement both ways: the clean lab passes, and each documented fault fails exactly its
requirement on exactly its host (sfbcheck.lab.faults).

Each fault is a whole pytest session of its own over its own lab (selftest/harness.py judges them one after
another in one warm interpreter) with the JSON results only: the HTML and JUnit reports add nothing to the
verdicts, and the clean and committed labs below are judged as a user runs them (a fresh ``python -m pytest``,
every report written).
"""

from __future__ import annotations

import pytest

from selftest.harness import PROJECT, run_lab, run_suite
from sfbcheck.catalog import WARNING, catalog
from sfbcheck.lab.faults import DEMO_FAULTS, FAULTS

VERDICTS_ONLY = ("-p", "no:html", "-p", "no:junitxml")


def warning_level(run) -> set[tuple[str, str]]:
    """The warnings of requirements whose impact is warning (a check may also flag one finding as a warning)."""
    return {(r, h) for r, h in run.outcomes("warning") if catalog()[r].impact == WARNING}


def test_clean_lab_passes_everything(clean_lab, tmp_path):
    run = run_lab(clean_lab, tmp_path, fresh_process=True)
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.results, "the suite ran no test"
    assert not run.failures and not run.errors
    assert not warning_level(run), "no requirement of impact warning may warn on the clean lab"
    assert (tmp_path / "reports" / "latest.html").is_file() and (tmp_path / "reports" / "latest.xml").is_file()


def test_clean_lab_passes_everything_judged_warm(clean_lab, tmp_path):
    """The warm interpreter that judges the faults gives the clean lab the same verdicts."""
    run = run_lab(clean_lab, tmp_path, *VERDICTS_ONLY)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.results, "the suite ran no test"
    assert not run.failures and not run.errors


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_fails_exactly_its_requirement(name, clean_lab, tmp_path):
    fault = FAULTS[name]
    run = run_lab(clean_lab, tmp_path, *VERDICTS_ONLY, faults=[name])
    if catalog()[fault.requirement].impact == WARNING:  # warning level: reported, the run still passes
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert not run.failures and not run.errors, run.stdout[-3000:]
        assert warning_level(run) == fault.expected_failures, run.stdout[-3000:]
        message = "\n".join(r["message"] for r in run.results if r["outcome"] == "warning")
        assert "fix:" in message, f"the warning of {name} gives no fix:\n{message}"
        return
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.errors == fault.expected_errors, run.stdout[-3000:]  # only an evidence fault leaves some unjudged
    assert run.failures == fault.expected_failures, run.stdout[-3000:]
    message = "\n".join(run.messages(fault.requirement, fault.host))
    assert "fix:" in message, f"the failure of {name} gives no fix:\n{message}"


def test_every_fault_names_a_catalog_requirement():
    known = catalog()
    assert all(f.requirement in known for f in FAULTS.values())


def test_committed_demo_lab_fails_only_its_demo_faults(tmp_path):
    run = run_suite(PROJECT / "inventories" / "lab" / "inventory.yml", tmp_path, fresh_process=True)
    expected = set().union(*(FAULTS[n].expected_failures for n in DEMO_FAULTS))
    assert run.failures == expected, run.stdout[-3000:]
    assert not run.errors
