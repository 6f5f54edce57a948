"""Drift: between two runs (new failures, fixed ones, unchanged ones) and between two evidence snapshots."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from selftest.harness import PROJECT, TESTS, run_suite
from sfbcheck.lab.faults import apply
from sfbcheck.lab.model import Lab
from sfbcheck.report.drift import compare

ROUTE = ("EDGE-ROUTE-01", "edge02.contoso.local")  # edge02-route-not-persistent
INTERMEDIATE = ("STORE-01", "fe02.contoso.local")  # fe02-intermediate-in-root
FRIENDLY = ("STORE-05", "edge01.contoso.local")  # edge01-duplicate-friendly-name
SELECTION = (str(TESTS / "test_edge_routing.py"),)


def _run(lab: Lab, workdir: Path, reports: Path, faults: list[str], *args: str):
    inventory = apply(lab.copy(), faults).write(workdir)
    return run_suite(inventory, reports, *SELECTION, *args, tests=TESTS / "test_certificate_stores.py")


def _pairs(entries: list[dict]) -> set[tuple[str, str]]:
    return {(e["requirement"], e["host"]) for e in entries}


def test_second_run_lists_new_fixed_and_unchanged_failures(clean_lab, tmp_path):
    reports = tmp_path / "reports"
    first = _run(clean_lab, tmp_path / "lab", reports,
                 ["edge02-route-not-persistent", "edge01-duplicate-friendly-name"])
    assert first.returncode == 1
    first_doc = json.loads((reports / "latest.json").read_text())
    assert first_doc["drift"]["baseline"] is None and "no previous results" in first_doc["drift"]["note"]

    second = _run(clean_lab, tmp_path / "lab", reports, ["fe02-intermediate-in-root", "edge01-duplicate-friendly-name"])
    doc = json.loads((reports / "latest.json").read_text())
    drift = doc["drift"]
    assert drift["baseline"]["finished"] == first_doc["run"]["finished"]
    assert _pairs(drift["new_failures"]) == {INTERMEDIATE}
    assert _pairs(drift["fixed"]) == {ROUTE}
    assert _pairs(drift["unchanged"]) == {FRIENDLY}
    assert drift["fixed"][0]["before"] == "failed" and drift["fixed"][0]["after"] == "passed"
    marks = {(r["requirement"], r["host"], r["drift"]) for r in doc["results"] if r["drift"]}
    assert marks == {(*INTERMEDIATE, "new"), (*ROUTE, "fixed"), (*FRIENDLY, "unchanged")}
    # terminal summary
    assert "1 new failure(s), 1 fixed, 1 unchanged" in second.stdout
    assert "NEW   STORE-01 on fe02.contoso.local" in second.stdout
    assert "FIXED EDGE-ROUTE-01 on edge02.contoso.local" in second.stdout
    # the matrix page carries the same drift (its data block)
    page = (reports / "latest-matrix.html").read_text()
    data = json.loads(page.split('<script type="application/json" id="data">')[1].split("</script>")[0])
    hosts = [h[0] for h in data["hosts"]]
    reqs = [r[0] for r in data["reqs"]]
    new = {(reqs[r], hosts[h]) for h, r, *_ in data["drift"]["new_failures"]}
    fixed = {(reqs[r], hosts[h]) for h, r, *_ in data["drift"]["fixed"]}
    assert new == {INTERMEDIATE} and fixed == {ROUTE}


def test_compare_with_a_given_results_file_and_not_with_another_inventorys(clean_lab, tmp_path):
    _run(clean_lab, tmp_path / "a", tmp_path / "first", ["edge02-route-not-persistent"])
    baseline = tmp_path / "baseline.json"
    shutil.copyfile(tmp_path / "first" / "latest.json", baseline)
    # the same report directory, but a different inventory: not compared automatically
    other = _run(clean_lab, tmp_path / "b", tmp_path / "first", [])
    assert "are of another inventory" in other.stdout
    doc = json.loads((tmp_path / "first" / "latest.json").read_text())
    assert doc["drift"]["baseline"] is None
    # --compare: compared whatever the inventory
    compared = _run(clean_lab, tmp_path / "b", tmp_path / "second", [], "--compare", str(baseline))
    doc = json.loads((tmp_path / "second" / "latest.json").read_text())
    assert _pairs(doc["drift"]["fixed"]) == {ROUTE} and not doc["drift"]["new_failures"]
    assert compared.returncode == 0


def test_compare_needs_a_results_file(clean_lab, tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    run = _run(clean_lab, tmp_path / "lab", tmp_path / "reports", [], "--compare", str(junk))
    assert run.returncode == 4 and "expected an sfbcheck JSON results file" in run.stderr


def test_compare_matches_by_test_id_and_counts_waived_as_still_failing():
    def result(nodeid: str, outcome: str) -> dict:
        return {"nodeid": nodeid, "requirement": "R-01", "host": nodeid, "outcome": outcome}

    before = [result("a", "failed"), result("b", "passed"), result("c", "failed"), result("d", "error"),
              result("gone", "failed")]
    after = [result("a", "waived"), result("b", "failed"), result("c", "passed"), result("d", "error"),
             result("added", "failed"), result("e", "skipped")]
    found = compare(before, after)
    assert [e["nodeid"] for e in found["new_failures"]] == ["added", "b"]
    assert [e["nodeid"] for e in found["fixed"]] == ["c"]
    assert [e["nodeid"] for e in found["unchanged"]] == ["a", "d"]
    assert found["new_failures"][0]["before"] is None


def test_a_checkout_run_and_an_installed_run_compare_result_by_result():
    """The same result under the checkout's ``tests/`` and under the installed package's folder is one result."""
    test = "test_dns.py::test_pool_fqdn_resolves[pool01.contoso.local]"
    before = [{"nodeid": f"tests/{test}", "requirement": "DNS-01", "host": "pool01", "outcome": "failed"}]
    after = [{"nodeid": f"../venv/lib/python3.11/site-packages/sfbcheck/tests/{test}", "requirement": "DNS-01",
              "host": "pool01", "outcome": "passed"}]
    found = compare(before, after)
    assert found["new_failures"] == [] and [e["nodeid"] for e in found["fixed"]] == [after[0]["nodeid"]]
    assert compare(before, [{**after[0], "outcome": "failed"}])["new_failures"] == []


def _diff(old: Path, new: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sfbcheck.diff", str(old), str(new), *args], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)


def test_snapshot_diff_shows_changes_per_server_and_section_and_masks_secrets(clean_lab, tmp_path):
    old_dir = clean_lab.copy().write(tmp_path / "old").parent / "evidence"
    changed = apply(clean_lab.copy(), ["edge01-duplicate-friendly-name", "edge02-route-not-persistent"])
    changed.sections("fe01.contoso.local")["LabServiceAccount"] = {"Name": "svc", "Password": "Hunter2-never-printed"}
    changed.evidence["fe02.contoso.local"]["Sections"]["NetAdapter"] = []  # emptied
    del changed.evidence["owas01.contoso.local"]
    new_dir = changed.write(tmp_path / "new").parent / "evidence"
    extra = clean_lab.copy()
    extra.sections("fe03.contoso.local")["LabServiceAccount"] = {"Name": "svc", "Password": "old-secret-value"}
    (old_dir / "fe03.contoso.local.json").write_text(json.dumps(extra.evidence["fe03.contoso.local"]))
    (new_dir / "fe03.contoso.local.json").write_text(
        json.dumps(extra.evidence["fe03.contoso.local"]).replace("old-secret-value", "new-secret-value"))

    proc = _diff(old_dir, new_dir)
    out = proc.stdout
    assert proc.returncode == 1, proc.stderr
    assert "~ edge01.contoso.local: changed" in out
    assert "  ~ CertificateStores: 1 added, 0 removed, 0 changed" in out
    assert "+ CertificateStores.My[Thumbprint=" in out
    assert "~ edge02.contoso.local: changed" in out and "  ~ NetRoute: 0 added, 1 removed, 0 changed" in out
    assert "  + LabServiceAccount: section added" in out
    assert "- owas01.contoso.local: removed" in out
    assert "= fe04.contoso.local: unchanged" in out
    assert "LabServiceAccount.Password: ******** -> ********" in out
    assert "Hunter2" not in out and "secret-value" not in out
    assert out.strip().splitlines()[-1].startswith("Summary: 5 servers changed")

    same = _diff(old_dir, old_dir, "--summary")
    assert same.returncode == 0 and same.stdout.startswith("Summary: 0 servers changed, ")
    assert len(same.stdout.splitlines()) == 1
