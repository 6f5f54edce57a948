"""Waivers: a waived failure is waived (not failed) in every report and the run passes; an expired one fails and
says so; one that waives nothing is stale; a malformed file stops the run naming file, entry and field."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from selftest.harness import TESTS, SuiteRun, run_suite
from sfbcheck.lab.faults import apply
from sfbcheck.lab.model import Lab
from sfbcheck.report.waivers import WaiverError, load_waivers

STORES = TESTS / "test_certificate_stores.py"
FAULT = "edge01-duplicate-friendly-name"  # STORE-05 fails on edge01.contoso.local
TODAY = date.today()


def _waiver(ticket: str, expires: date, host: str = "edge*.contoso.local", requirement: str = "STORE-05") -> dict:
    return {"requirement": requirement, "host": host, "ticket": ticket, "expires": expires,
            "justification": f"old certificate removed in the change window ({ticket})"}


def _run(lab: Lab, tmp_path: Path, waivers: list[dict] | str | None, *args: str) -> SuiteRun:
    inventory = apply(lab.copy(), [FAULT]).write(tmp_path / "lab")
    if waivers is not None:
        text = waivers if isinstance(waivers, str) else yaml.safe_dump({"waivers": waivers}, sort_keys=False)
        (inventory.parent / "waivers.yml").write_text(text, encoding="utf-8")
    return run_suite(inventory, tmp_path / "reports", *args, tests=STORES)


def _store05(run: SuiteRun) -> dict:
    return next(r for r in run.results if r["requirement"] == "STORE-05" and r["host"] == "edge01.contoso.local")


def test_waived_failure_is_waived_everywhere_and_the_run_passes(clean_lab, tmp_path):
    run = _run(clean_lab, tmp_path, [_waiver("CHG-1001", TODAY + timedelta(days=30)),
                                     _waiver("CHG-2002", TODAY + timedelta(days=30), host="fe0*.contoso.local",
                                             requirement="STORE-01"),
                                     _waiver("CHG-3003", TODAY + timedelta(days=30), host="nosuch.contoso.local")])
    assert run.returncode == 0, run.stdout[-3000:]
    result = _store05(run)
    assert result["outcome"] == "waived"
    assert result["waiver"]["ticket"] == "CHG-1001" and result["waiver"]["status"] == "active"
    assert "Friendly Name" in result["message"]  # the waived failure keeps what was wrong
    assert not run.failures
    # JUnit: a skipped testcase whose message says waived, with the justification, and a waiver property
    case = next(c for c in ET.parse(run.report_dir / "latest.xml").getroot().iter("testcase")
                if c.get("name") == "test_personal_friendly_names_are_unique[edge01.contoso.local]")
    skipped = case.find("skipped")
    assert skipped is not None and "waived by CHG-1001" in skipped.get("message", "")
    assert "change window (CHG-1001)" in skipped.get("message", "")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["waiver"].startswith("waived by CHG-1001") and props["impact"] == "high"
    # HTML: labelled Waived, with the justification
    page = (run.report_dir / "latest.html").read_text(encoding="utf-8")
    assert "Waived" in page and "change window (CHG-1001)" in page
    # terminal: counted as waived, listed with its ticket; stale waivers reported
    assert "1 waived" in run.stdout and "WAIVED STORE-05 on edge01.contoso.local" in run.stdout
    assert "STALE WAIVER CHG-2002" in run.stdout and "STALE WAIVER CHG-3003" in run.stdout
    # JSON: the stale ones with their reasons
    doc = json.loads((run.report_dir / "latest.json").read_text(encoding="utf-8"))
    stale = {s["ticket"]: s["reason"] for s in doc["waivers"]["stale"]}
    assert set(stale) == {"CHG-2002", "CHG-3003"}
    assert "did not fail" in stale["CHG-2002"] and "no result of this run matches it" in stale["CHG-3003"]
    assert doc["summary"]["waived"] == 1 and doc["run"]["exitstatus"] == 0


def test_expired_waiver_fails_and_says_it_expired(clean_lab, tmp_path):
    expired = TODAY - timedelta(days=1)
    waivers = tmp_path / "elsewhere.yml"
    waivers.write_text(yaml.safe_dump({"waivers": [_waiver("CHG-4004", expired, host="edge01.contoso.local")]}))
    run = _run(clean_lab, tmp_path, None, "--waivers", str(waivers))
    assert run.returncode == 1, run.stdout[-3000:]
    result = _store05(run)
    assert result["outcome"] == "failed" and result["waiver"]["status"] == "expired"
    assert "Friendly Name" in result["message"]
    assert result["message"].endswith(f"waiver CHG-4004 expired on {expired.isoformat()}")
    assert f"EXPIRED WAIVER CHG-4004 (STORE-05 on edge01.contoso.local) expired on {expired}" in run.stdout
    assert run.failures == {("STORE-05", "edge01.contoso.local")}


def test_malformed_waiver_file_stops_the_run_naming_file_entry_and_field(clean_lab, tmp_path):
    bad = [_waiver("CHG-5005", TODAY), {**_waiver("CHG-6006", TODAY), "expires": "next spring"}]
    run = _run(clean_lab, tmp_path, bad)
    assert run.returncode == 4, run.stdout[-3000:]  # pytest's usage error: no test ran
    assert "waivers.yml: entry 2 (ticket CHG-6006), field expires: expected a date" in run.stderr
    assert not run.results


@pytest.mark.parametrize(("entry", "where"), [
    ({"host": "x.contoso.local", "justification": "j", "ticket": "T-1", "expires": "2030-01-01"},
     "entry 1 (ticket T-1), field requirement: expected a value (this field is required)"),
    ({"requirement": "STORE-99", "host": "x", "justification": "j", "ticket": "T-1", "expires": "2030-01-01"},
     "entry 1 (ticket T-1), field requirement: expected a requirement ID from sfbcheck/catalog.yml"),
    ({"requirement": "STORE-01", "host": "x", "justification": " ", "ticket": "T-1", "expires": "2030-01-01"},
     "entry 1 (ticket T-1), field justification: expected a non-empty text"),
    ({"requirement": "STORE-01", "host": "x", "justification": "j", "ticket": "T-1", "expires": "2030-01-01",
      "owner": "me"}, "entry 1 (ticket T-1), field owner: expected no such field"),
    ("just text", "entry 1: expected a mapping"),
])
def test_malformed_entries_name_entry_and_field(tmp_path, entry, where):
    path = tmp_path / "waivers.yml"
    path.write_text(yaml.safe_dump({"waivers": [entry]}))
    with pytest.raises(WaiverError) as caught:
        load_waivers(path)
    assert str(caught.value).startswith(f"waivers {path}: {where}")


@pytest.mark.parametrize(("text", "where"), [
    ("waivers: [\n  {requirement: STORE-01\n", "line "),
    ("- requirement: STORE-01\n", "(top level): expected a mapping with a 'waivers' list"),
    ("waiver: []\n", "waiver: expected no such field"),
    ("waivers:\n- {requirement: STORE-01, host: x, justification: j, ticket: T, expires: 2027-02-30}\n",
     "line 2, column 74: expected a real date, got '2027-02-30'"),
])
def test_malformed_files_are_explained(tmp_path, text, where):
    path = tmp_path / "waivers.yml"
    path.write_text(text)
    with pytest.raises(WaiverError) as caught:
        load_waivers(path)
    assert where in str(caught.value)


def test_a_waiver_holds_through_its_expiry_day_and_patterns_match_hosts(tmp_path):
    path = tmp_path / "waivers.yml"
    path.write_text(yaml.safe_dump({"waivers": [_waiver("T-1", date(2027, 3, 31))]}))
    on_the_day = load_waivers(path, today=date(2027, 3, 31))
    assert on_the_day.find("STORE-05", "EDGE02.contoso.local").expired(on_the_day.today) is False
    assert on_the_day.find("STORE-05", "fe01.contoso.local") is None
    assert on_the_day.find("STORE-04", "edge02.contoso.local") is None
    day_after = load_waivers(path, today=date(2027, 4, 1))
    assert day_after.find("STORE-05", "edge02.contoso.local").expired(day_after.today) is True
