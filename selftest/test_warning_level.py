"""The warning level: a warning is shown in every output (terminal, JSON, JUnit, HTML, matrix) and never fails the
run on its own; ``policy.warnings_fail`` makes warnings fail it; ``policy.impact`` moves one requirement."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from selftest.harness import TESTS, run_lab, run_suite
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.faults import apply
from sfbcheck.plugin import INVENTORY_KEY, judged
from sfbcheck.problems import Problem, render
from sfbcheck.report import matrix

ROUTING = TESTS / "test_edge_routing.py"
EDGE2 = "edge02.contoso.local"


def _run(clean_lab, tmp, **policy):
    lab = apply(clean_lab.copy(), ["edge02-route-not-persistent"])  # fails EDGE-ROUTE-01 on edge02
    lab.inventory["policy"].update(policy)
    return run_suite(lab.write(tmp / "lab"), tmp / "reports", tests=ROUTING)


@pytest.fixture(scope="module")
def warned(clean_lab, tmp_path_factory):
    """EDGE-ROUTE-01 demoted to a warning by the inventory: its failure becomes a warning."""
    return _run(clean_lab, tmp_path_factory.mktemp("warned"), impact={"EDGE-ROUTE-01": "warning"})


def test_a_warning_alone_passes_the_run(warned):
    assert warned.returncode == 0, warned.stdout[-3000:]
    assert not warned.failures and not warned.errors
    assert warned.outcomes("warning") == {("EDGE-ROUTE-01", EDGE2)}


def test_terminal_summary_counts_and_lists_the_warning(warned):
    assert "1 warned" in warned.stdout
    assert "WARNING EDGE-ROUTE-01 on edge02.contoso.local:" in warned.stdout


def test_json_record_has_outcome_warning_impact_and_flagged_problems(warned):
    doc = json.loads((warned.report_dir / "latest.json").read_text(encoding="utf-8"))
    assert doc["summary"]["warning"] == 1 and doc["summary"]["failed"] == 0
    record = next(r for r in doc["results"] if r["outcome"] == "warning")
    assert record["impact"] == "warning"
    assert "not persistent" in record["message"] and record["remediation"]
    assert record["problems"] and all(p["warning"] for p in record["problems"])


def test_junit_passing_testcase_carries_warning_property_and_system_out(warned):
    root = ET.parse(warned.report_dir / "latest.xml").getroot()
    found = []
    for case in root.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        if "warning" in props:
            found.append(case)
            assert props["requirement"] == "EDGE-ROUTE-01" and props["host"] == EDGE2
            assert case.find("failure") is None and case.find("skipped") is None and case.find("error") is None
            out = case.find("system-out")
            assert out is not None and "not persistent" in (out.text or "")
    assert len(found) == 1
    assert root.find("testsuite") is None or int(root.find("testsuite").get("failures", "0")) == 0


def test_html_report_labels_colours_and_counts_the_warning(warned):
    page = html.unescape((warned.report_dir / "latest.html").read_text(encoding="utf-8"))  # pytest-html's JSON
    assert "1 warning(s)" in page
    assert 'style=\\"color: #b35c00; font-weight: bold\\">Warning</td>' in page
    assert "warning:</span> edge02.contoso.local" in page or "&#9888; warning:" in page


def test_matrix_shows_the_warning_cell(warned):
    page = (warned.report_dir / "latest-matrix.html").read_text(encoding="utf-8")
    data = json.loads(page.split('<script type="application/json" id="data">', 1)[1].split("</script>", 1)[0])
    letters = "".join(data["cells"])
    assert "a" in letters and "f" not in letters
    assert matrix.STATUS_OF_OUTCOME["warning"] == "a"


def test_warnings_fail_promotes_warnings_to_failures(clean_lab, tmp_path):
    run = _run(clean_lab, tmp_path, impact={"EDGE-ROUTE-01": "warning"}, warnings_fail=True)
    assert run.returncode == 1, run.stdout[-3000:]
    assert run.failures == {("EDGE-ROUTE-01", EDGE2)}
    assert "policy.warnings_fail" in "\n".join(run.messages("EDGE-ROUTE-01", EDGE2))


# -- judging, without a run ---------------------------------------------------------------------
def _config(clean_lab, tmp_path, **policy):
    lab = clean_lab.copy()
    lab.inventory["policy"].update(policy)
    return SimpleNamespace(stash={INVENTORY_KEY: load_inventory(lab.write(tmp_path / "lab"))})


def test_impact_override_turns_a_checks_own_warnings_into_failures(clean_lab, tmp_path):
    problems = [Problem("a pool of exactly two members", warning=True), Problem("quorum lost")]
    config = _config(clean_lab, tmp_path, impact={"EDGE-ROUTE-01": "high"})
    assert [p.warning for p in judged(problems, config, "EDGE-ROUTE-01")] == [False, False]
    plain = _config(clean_lab, tmp_path / "plain")
    assert [p.warning for p in judged(problems, plain, "EDGE-ROUTE-01")] == [True, False]
    assert render([problems[0]]).startswith("warning: ")


def test_policy_impact_names_only_catalog_requirements(clean_lab, tmp_path):
    from sfbcheck.errors import InventoryError

    with pytest.raises(InventoryError, match="NOPE-01"):
        _config(clean_lab, tmp_path, impact={"NOPE-01": "high"})


# -- the clean lab: its pool of two is the one warning ---------------------------------------------------------
NEW_IDS = {"VER-01", "VER-02", "VER-03", "VER-04", "POOL-01", "POOL-02", "POOL-03", "POOL-04", "EDGE-FW-05",
           "EDGE-DNS-05", "FED-03", "FED-04", "EVID-01"}
POOL2_WARNING = {("POOL-02", "pool02.contoso.local")}


def test_clean_lab_passes_with_its_one_warning_and_every_new_requirement_labelled(clean_lab, tmp_path):
    run = run_lab(clean_lab, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.outcomes("warning") == POOL2_WARNING
    assert not run.failures and not run.errors
    assert {r["requirement"] for r in run.results} >= NEW_IDS


def test_warnings_fail_makes_the_clean_labs_warning_its_one_failure(clean_lab, tmp_path):
    lab = clean_lab.copy()
    lab.inventory["policy"]["warnings_fail"] = True
    run = run_lab(lab, tmp_path, "-m", "pool")
    assert run.returncode == 1, run.stdout[-3000:]
    assert run.failures == POOL2_WARNING and not run.outcomes("warning")


def test_policy_impact_promotes_one_requirement(clean_lab, tmp_path):
    lab = clean_lab.copy()
    lab.inventory["policy"]["impact"] = {"POOL-02": "high"}
    run = run_lab(lab, tmp_path, "-m", "pool")
    assert run.returncode == 1, run.stdout[-3000:]
    assert run.failures == POOL2_WARNING
    assert {r["impact"] for r in run.results if r["requirement"] == "POOL-02"} == {"high"}


def test_committed_demo_lab_shows_its_warning_next_to_its_failures(tmp_path):
    from selftest.harness import PROJECT

    run = run_suite(PROJECT / "inventories" / "lab" / "inventory.yml", tmp_path)
    assert run.returncode == 1 and run.failures
    assert run.outcomes("warning") == POOL2_WARNING
