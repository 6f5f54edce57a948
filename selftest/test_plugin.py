"""The plugin: markers select by role, every result carries requirement and host, reports are written."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from selftest.harness import run_lab


def test_marker_edge_selects_only_edge_results(clean_lab, tmp_path):
    run = run_lab(clean_lab, tmp_path, "-m", "edge")
    hosts = {r["host"] for r in run.results}
    assert hosts == {"edge01.contoso.local", "edge02.contoso.local", "edgepool.contoso.local"}  # + CERT-08 per pool
    assert {"EDGE-ROUTE-01", "STORE-01"} <= {r["requirement"] for r in run.results}


def test_reports_are_written_with_stable_latest_names(clean_lab, tmp_path):
    run = run_lab(clean_lab, tmp_path, faults=["edge02-route-not-persistent"])
    names = {p.name for p in run.report_dir.iterdir()}
    assert {"latest.html", "latest.xml", "latest.json", "latest-matrix.html"} <= names
    assert len([n for n in names if n.startswith("sfbcheck-") and n.endswith(".html")]) == 2  # report, matrix
    page = (run.report_dir / "latest.html").read_text()
    assert "EDGE-ROUTE-01" in page and "edge02.contoso.local" in page
    assert "not persistent: lost at next reboot" in page
    assert "route -p add 10.20.0.0 mask 255.255.0.0 172.16.10.1" in page


def test_every_junit_testcase_carries_requirement_and_host(clean_lab, tmp_path):
    run = run_lab(clean_lab, tmp_path)
    cases = ET.parse(run.report_dir / "latest.xml").getroot().iter("testcase")
    count = 0
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props.get("requirement") and props.get("host"), case.get("name")
        count += 1
    assert count == len(run.results)


def test_ids_name_the_server_and_item(clean_lab, tmp_path):
    run = run_lab(clean_lab, tmp_path, "-k", "persistent_route")
    assert any(r["nodeid"].endswith("[edge01.contoso.local-10.10.0.0/16]") for r in run.results)


def test_a_compliance_run_freezes_its_heap_every_few_thousand_results(monkeypatch):
    """The results a compliance run keeps for its reports are moved out of the cyclic collector's reach every
    FREEZE_EVERY results (sfbcheck/plugin.py); a run that is not a compliance run is left alone."""
    import gc
    from types import SimpleNamespace

    from sfbcheck import plugin

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    compliance = SimpleNamespace(config=SimpleNamespace(stash=pytest.Stash()))
    other = SimpleNamespace(config=SimpleNamespace(stash=pytest.Stash()))
    compliance.config.stash[plugin.SINCE_FREEZE_KEY] = 0
    for _ in range(2 * plugin.FREEZE_EVERY + 1):
        plugin.pytest_runtest_teardown(compliance)
        plugin.pytest_runtest_teardown(other)
    assert len(frozen) == 2 and compliance.config.stash[plugin.SINCE_FREEZE_KEY] == 1
    assert plugin.SINCE_FREEZE_KEY not in other.config.stash
