"""JSON results follow their schema (docs/results.md) and carry every field; JUnit carries requirement, host and
impact; the HTML report has the impact column; -m <impact> selects; no secret of the run reaches a report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from selftest.harness import TESTS, run_suite
from sfbcheck.catalog import catalog
from sfbcheck.lab.faults import apply
from sfbcheck.lab.model import COLLECTOR_VERSION
from sfbcheck.report.results import schema

SECRET = "Pa55-must-never-appear-7f3c"  # a marker: the run's password variable
SELECTION = (str(TESTS / "test_edge_routing.py"),)


def _validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema())
    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def faulty_run(clean_lab, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("results")
    lab = apply(clean_lab.copy(), ["edge02-route-not-persistent", "edge01-duplicate-friendly-name"])
    inventory = lab.write(tmp / "lab")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SFBCHECK_USERNAME", "CONTOSO\\svc-sfbcheck")
        mp.setenv("SFBCHECK_PASSWORD", SECRET)
        run = run_suite(inventory, tmp / "reports", *SELECTION, tests=TESTS / "test_certificate_stores.py")
    return lab, inventory, run


def test_results_file_follows_its_schema(faulty_run):
    _, _, run = faulty_run
    doc = json.loads((run.report_dir / "latest.json").read_text(encoding="utf-8"))
    _validator().validate(doc)
    assert doc["schema"] == "sfbcheck-results/2"


def test_schema_rejects_a_record_without_its_host():
    record = {"nodeid": "t::x", "requirement": "STORE-01", "title": "", "impact": "high", "pool": "", "role": "",
              "outcome": "passed", "message": "", "remediation": "", "problems": [], "waiver": None,
              "evidence_collected_at": None, "duration": 0.1, "drift": ""}
    validator = jsonschema.Draft202012Validator({"$ref": "#/$defs/result", "$defs": schema()["$defs"]})
    assert not list(validator.iter_errors({**record, "host": "fe01.contoso.local"}))
    assert list(validator.iter_errors(record))


def test_each_record_has_requirement_title_host_outcome_message_remediation_and_evidence_time(faulty_run):
    lab, inventory, run = faulty_run
    doc = json.loads((run.report_dir / "latest.json").read_text(encoding="utf-8"))
    route = next(r for r in doc["results"] if r["nodeid"].endswith("[edge02.contoso.local-10.20.0.0/16]"))
    assert route["requirement"] == "EDGE-ROUTE-01" and route["title"] == catalog()["EDGE-ROUTE-01"].title
    assert route["host"] == "edge02.contoso.local" and route["pool"] == "edgepool.contoso.local"
    assert route["role"] == "edge" and route["impact"] == "critical" and route["outcome"] == "failed"
    assert "not persistent" in route["message"] and "route -p add 10.20.0.0" in route["remediation"]
    assert route["problems"][0]["evidence"] and route["waiver"] is None
    assert route["evidence_collected_at"] == lab.now.isoformat()
    assert all(r["evidence_collected_at"] for r in doc["results"])
    meta = doc["run"]
    assert meta["deployment"] == lab.inventory["deployment"] and meta["inventory"] == str(inventory)
    assert meta["product"] == "sfb2019" and meta["pool_products"] == {"lync01.contoso.local": "lync2013"}
    assert meta["evidence"] == str(inventory.parent / "evidence") and meta["evidence_source"] == "snapshot"
    assert meta["started"] <= meta["finished"] and meta["exitstatus"] == 1
    assert meta["versions"]["pytest"] and meta["versions"]["collector"] == [COLLECTOR_VERSION]
    assert meta["evidence_collected"]["oldest"] == lab.now.isoformat()
    assert doc["summary"]["failed"] == 2 and doc["summary"]["passed"] == len(doc["results"]) - 2


def test_junit_testcases_carry_requirement_host_and_impact(faulty_run):
    _, _, run = faulty_run
    by_nodeid = {r["nodeid"].split("::")[-1]: r for r in run.results}
    count = 0
    for case in ET.parse(run.report_dir / "latest.xml").getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        result = by_nodeid[case.get("name")]
        assert (props["requirement"], props["host"], props["impact"]) == \
               (result["requirement"], result["host"], result["impact"])
        count += 1
    assert count == len(run.results)


def test_html_report_shows_impact_and_links_the_matrix(faulty_run):
    _, _, run = faulty_run
    page = (run.report_dir / "latest.html").read_text(encoding="utf-8")
    assert "data-column-type=&#39;impact&#39;" in page or "data-column-type='impact'" in page
    assert "col-impact" in page and "-matrix.html" in page


def test_no_secret_of_the_run_reaches_any_report(faulty_run):
    _, _, run = faulty_run
    files = sorted(run.report_dir.iterdir())
    assert {f.suffix for f in files} >= {".html", ".xml", ".json"}
    for path in files:
        assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path.name


def test_impact_markers_select_by_impact(clean_lab, tmp_path):
    inventory = clean_lab.copy().write(tmp_path / "lab")
    run = run_suite(inventory, tmp_path / "reports", *SELECTION, "-m", "critical",
                    tests=TESTS / "test_certificate_stores.py")
    assert run.results and {r["impact"] for r in run.results} == {"critical"}
    expected = {rid for rid, req in catalog().items() if req.impact == "critical"}
    assert {r["requirement"] for r in run.results} <= expected
