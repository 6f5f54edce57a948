"""The sfbcheck command and the plugin's command line: exit codes, catalog, explain, selection, path options with a
space or "=", users' own tests, messages that lead somewhere, and reports that compare like with like."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from selftest.harness import PROJECT, TESTS, latest_results, run_lab, run_suite
from sfbcheck import cli
from sfbcheck.catalog import catalog
from sfbcheck.lab.faults import apply
from sfbcheck.live import transport

TIMEOUT = 300


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT"))}
    path = os.pathsep.join(p for p in (str(PROJECT), env.get("PYTHONPATH", "")) if p)  # as if installed
    return {**env, "PYTHONPATH": path, **extra}


def sfbcheck(*args: str, cwd: Path = PROJECT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sfbcheck.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, env=_env(**env))


def pytest_run(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "sfbcheck.plugin", "-p", "sfbcheck.live.plugin",
                           "-p", "no:cacheprovider", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, env=_env())


def _results(report_dir: Path) -> list[dict]:
    path = latest_results(report_dir)
    assert path is not None, f"no results in {report_dir}"
    return json.loads(path.read_text(encoding="utf-8"))["results"]


@pytest.fixture
def spaced_lab(clean_lab, tmp_path):
    """The clean lab with one documented Edge fault, in a folder outside the project whose name has a space."""
    return apply(clean_lab.copy(), ["edge02-route-not-persistent"]).write(tmp_path / "my deployment" / "lab")


def test_help_documents_distinct_exit_codes(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for code, word in ((cli.COMPLIANT, "compliant"), (cli.NON_COMPLIANT, "non-compliant"),
                       (cli.USAGE_ERROR, "usage error"), (cli.RUN_ERROR, "error in the run")):
        assert f"  {code}  {word}" in text
    assert len({cli.COMPLIANT, cli.NON_COMPLIANT, cli.USAGE_ERROR, cli.RUN_ERROR}) == 4
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert all(f"| {code} |" in readme for code in (0, 1, 2, 3))


def test_requirements_table_filters_by_marker_impact_and_text(capsys):
    assert cli.main(["requirements", "-m", "edge", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all("edge" in row["markers"] for row in rows)
    assert cli.main(["requirements", "--impact", "critical", "--json"]) == 0
    assert {row["impact"] for row in json.loads(capsys.readouterr().out)} == {"critical"}
    assert cli.main(["requirements", "STORE-*"]) == 0
    table = capsys.readouterr().out
    stores = [rid for rid in catalog() if rid.startswith("STORE-")]
    assert all(rid in table for rid in stores) and "EDGE-ROUTE-01" not in table


def test_explain_gives_title_source_why_and_the_fix_the_check_reports():
    done = sfbcheck("explain", "EDGE-ROUTE-01")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert catalog()["EDGE-ROUTE-01"].title in out
    assert "seed 000: Skype for Business Edge Server replication troubleshooter" in out
    assert "why:" in out and "fix (what the check reports" in out and "route -p add" in out
    unknown = sfbcheck("explain", "EDGE-ROUTE-99")
    assert unknown.returncode == cli.USAGE_ERROR and "EDGE-ROUTE-01" in unknown.stderr


def test_exit_codes_compliant_non_compliant_run_error_and_usage_error(clean_lab, tmp_path):
    clean = clean_lab.copy().write(tmp_path / "clean")
    assert sfbcheck("run", str(clean), "--requirement", "EDGE-ROUTE-*", "-q", cwd=tmp_path).returncode == cli.COMPLIANT
    faulty = apply(clean_lab.copy(), ["edge02-route-not-persistent"]).write(tmp_path / "faulty")
    run = sfbcheck("run", str(faulty), "--requirement", "EDGE-ROUTE-01", "-q", cwd=tmp_path)
    assert run.returncode == cli.NON_COMPLIANT, run.stdout[-1500:]
    (clean.parent / "evidence" / "edge02.contoso.local.json").unlink()
    missing = sfbcheck("run", str(clean), "--requirement", "EDGE-ROUTE-01", "-q", cwd=tmp_path)
    assert missing.returncode == cli.RUN_ERROR, missing.stdout[-1500:]
    # the missing file names the three ways to get it, with the collector's command line for an Edge
    assert "sfbcheck collect" in missing.stdout and "sfbcheck probe" in missing.stdout
    assert ".\\Collect-SfbEvidence.ps1 -Roles edge -PoolFqdn edgepool.contoso.local" in missing.stdout
    shutil.rmtree(clean.parent / "evidence")
    gone = sfbcheck("run", str(clean), cwd=tmp_path)
    assert gone.returncode == cli.USAGE_ERROR and "does not exist" in gone.stdout + gone.stderr
    assert "sfbcheck collect" in gone.stdout + gone.stderr and "-Roles frontend" in gone.stdout + gone.stderr
    marker = sfbcheck("run", str(faulty), "-m", "edgee", cwd=tmp_path)
    assert marker.returncode == cli.USAGE_ERROR
    assert "unknown marker 'edgee'" in marker.stdout + marker.stderr and "edge, " in marker.stdout + marker.stderr
    pattern = sfbcheck("run", str(faulty), "--requirement", "NOPE-*", cwd=tmp_path)
    assert pattern.returncode == cli.USAGE_ERROR and "NOPE-*" in pattern.stdout + pattern.stderr


@pytest.mark.parametrize("form", ["space", "equals"])
def test_path_options_work_with_a_space_or_equals_outside_the_project(spaced_lab, tmp_path, form):
    reports = tmp_path / "my reports"
    options = (["--inventory", str(spaced_lab), "--report-dir", str(reports)] if form == "space" else
               [f"--inventory={spaced_lab}", f"--report-dir={reports}"])
    run = pytest_run(*options, "-k", "EDGE-ROUTE-01", "-q")
    assert "unrecognized arguments" not in run.stderr
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    results = _results(reports)
    assert {r["requirement"] for r in results} == {"EDGE-ROUTE-01"}
    # the project's pytest.ini still applies: ids are relative to the project, not to the inventory's folder
    assert all(r["nodeid"].startswith("tests/test_edge_routing.py::") for r in results)
    assert {(r["host"], r["outcome"]) for r in results if r["outcome"] == "failed"} == {("edge02.contoso.local",
                                                                                         "failed")}


def test_users_own_tests_run_next_to_the_shipped_ones(spaced_lab, tmp_path):
    mine = tmp_path / "my tests"
    mine.mkdir()
    (mine / "test_mine.py").write_text(
        "def test_mine_sees_the_inventory(inventory):\n    assert len(inventory.servers()) > 1\n\n"
        "def test_mine_on_each_host(host):\n    assert host.run('hostname').rc == 0\n", encoding="utf-8")
    run = sfbcheck("run", str(spaced_lab), str(mine), "-k", "EDGE-ROUTE-01 or test_mine", "-rs",
                   "--report-dir", str(tmp_path / "reports"), cwd=tmp_path)
    assert run.returncode == cli.NON_COMPLIANT, run.stdout[-2000:]
    assert "test_mine.py::test_mine_sees_the_inventory PASSED" in run.stdout or " passed" in run.stdout
    assert "run with --live" in run.stdout and "--inventory PATH" in run.stdout
    alone = pytest_run(str(mine), f"--inventory={spaced_lab}", "--no-reports", "-q", "-rs", cwd=tmp_path)
    assert alone.returncode == 0, alone.stdout[-2000:]
    assert "1 passed" in alone.stdout and "1 skipped" in alone.stdout


def test_probe_exits_non_zero_when_every_probe_failed(clean_lab, tmp_path):
    inventory = clean_lab.copy().write(tmp_path / "lab")
    done = sfbcheck("probe", str(inventory), "--out", str(tmp_path / "probed"), cwd=tmp_path,
                    SFBCHECK_PROBE_LOOPBACK_ONLY="1")  # every lab address is refused: nothing leaves loopback
    assert done.returncode == 1, done.stdout + done.stderr
    assert "every probe failed" in done.stderr and (tmp_path / "probed" / "runner.json").is_file()


def test_kerberos_without_the_extra_says_how_to_install_it():
    if transport.kerberos_available():
        pytest.skip("the kerberos extra is installed here")
    session = transport.WinRMSession(transport.WinRMSettings(server="fe01.contoso.local", host="127.0.0.1"),
                                     transport.Credentials(None, None, "kerberos ticket cache"))
    with pytest.raises(transport.TransportError) as refused:
        session.open()
    assert "pip install 'sfbcheck[kerberos]'" in str(refused.value)


def test_a_partial_run_does_not_replace_latest_and_the_next_full_run_reports_no_false_new(clean_lab, tmp_path):
    faults = ["edge02-route-not-persistent", "fe03-default-certificate-deleted"]
    first = run_lab(clean_lab, tmp_path, "-p", "no:html", faults=faults)
    full = json.loads((first.report_dir / "latest.json").read_text())
    edge = run_lab(clean_lab, tmp_path, "-m", "edge", "-p", "no:html", faults=faults)
    assert (edge.report_dir / "latest-m-edge.json").is_file()
    assert json.loads((edge.report_dir / "latest.json").read_text())["run"] == full["run"]  # untouched
    partial = json.loads((edge.report_dir / "latest-m-edge.json").read_text())
    assert partial["run"]["selection"]["partial"] and partial["drift"]["new_failures"] == []
    again = run_lab(clean_lab, tmp_path, "-p", "no:html", faults=faults)
    drift = json.loads((again.report_dir / "latest.json").read_text())["drift"]
    assert drift["new_failures"] == [] and len(drift["unchanged"]) >= 2
    assert "per impact:" in again.stdout and "per server:" in again.stdout and "latest.*" in again.stdout


def test_a_run_of_some_test_files_is_compared_only_on_what_it_selected(clean_lab, tmp_path):
    faults = ["edge02-route-not-persistent", "fe03-default-certificate-deleted"]
    some = run_suite(apply(clean_lab.copy(), faults).write(tmp_path / "lab"), tmp_path / "reports", "-p", "no:html",
                     tests=TESTS / "test_edge_routing.py")
    doc = json.loads((some.report_dir / "latest.json").read_text())
    assert doc["run"]["selection"]["partial"] and doc["run"]["selection"]["paths"]
    full = run_lab(clean_lab, tmp_path, "-p", "no:html", faults=faults)
    drift = json.loads((full.report_dir / "latest.json").read_text())["drift"]
    assert drift["new_failures"] == [] and drift["not_compared"] > 0  # CERT-01 on fe03 was not selected before
