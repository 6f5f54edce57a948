"""Bad evidence: a missing, empty, truncated, non-JSON or wrong-version file makes that server's tests
error once with the reason; every other server still runs."""

from __future__ import annotations

import json

import pytest

from selftest.harness import run_lab, run_suite
from sfbcheck.errors import EvidenceError
from sfbcheck.evidence import EvidenceStore, load_document

EDGE = "edge01.contoso.local"


def _break(path, how):
    text = path.read_text()
    if how == "missing":
        path.unlink()
    elif how == "empty":
        path.write_text("")
    elif how == "truncated":
        path.write_text(text[: len(text) // 2])
    elif how == "not-json":
        path.write_text("Get-NetRoute : Access is denied.\r\n")
    elif how == "wrong-version":
        data = json.loads(text)
        data["SchemaVersion"] = 99
        path.write_text(json.dumps(data))
    elif how == "other-server":
        data = json.loads(text)
        data["Server"] = "edge02.contoso.local"
        path.write_text(json.dumps(data))


REASONS = {"missing": "no evidence file", "empty": "empty", "truncated": "truncated JSON",
           "not-json": "not JSON", "wrong-version": "schema version 99", "other-server": "collected on edge02"}


@pytest.mark.parametrize("how", sorted(REASONS))
def test_loader_gives_the_reason(clean_lab, tmp_path, how):
    clean_lab.write(tmp_path)
    path = tmp_path / "evidence" / f"{EDGE}.json"
    _break(path, how)
    with pytest.raises(EvidenceError, match=REASONS[how]):
        load_document(path, EDGE)


def test_store_loads_each_server_once(clean_lab, tmp_path):
    clean_lab.write(tmp_path)
    store = EvidenceStore(tmp_path / "evidence")
    assert store.get(EDGE) is store.get(EDGE.upper())


def test_windows_powershell_utf16_file_is_read(clean_lab, tmp_path):
    clean_lab.write(tmp_path)
    path = tmp_path / "evidence" / f"{EDGE}.json"
    path.write_bytes(path.read_text().encode("utf-16"))
    assert load_document(path, EDGE)["Server"] == EDGE


@pytest.fixture(scope="module")
def clean_outcomes(clean_lab, tmp_path_factory):
    """nodeid -> outcome of the clean lab's run (some results are not applicable or warnings there)."""
    run = run_lab(clean_lab, tmp_path_factory.mktemp("clean"))
    return {r["nodeid"]: r["outcome"] for r in run.results}


@pytest.mark.parametrize("how", ["truncated", "missing"])
def test_broken_server_errors_once_and_the_rest_runs(clean_lab, clean_outcomes, tmp_path, how):
    inventory = clean_lab.write(tmp_path / "lab")
    _break(tmp_path / "lab" / "evidence" / f"{EDGE}.json", how)
    run = run_suite(inventory, tmp_path / "reports")
    assert run.returncode == 1
    broken = [r for r in run.results if r["host"] == EDGE]
    errors = [r for r in broken if r["outcome"] == "error"]
    assert len(errors) == 1, run.stdout[-2000:]
    assert REASONS[how] in errors[0]["message"]
    # CMS-01/02 judge the replica edge01 from the CMS master's own replication status: they still run
    judged_elsewhere = {"CMS-01", "CMS-02"}
    assert all(r["outcome"] == "skipped" for r in broken
               if r is not errors[0] and r["requirement"] not in judged_elsewhere), run.stdout[-2000:]
    assert {r["outcome"] for r in broken if r["requirement"] in judged_elsewhere} == {"passed"}
    others = [r for r in run.results if r["host"] != EDGE]
    # a pool-level result that needs the broken server's evidence (CERT-08 per Edge pool) is skipped naming it;
    # every other result is what it is on the clean lab
    assert others and all(r["outcome"] == clean_outcomes[r["nodeid"]]
                          or (r["outcome"] == "skipped" and EDGE in r["message"]) for r in others)


def test_missing_section_is_an_error_of_the_requirements_that_need_it(clean_lab, tmp_path):
    """Cannot judge is an error: never a pass, never a compliance failure."""
    lab = clean_lab.copy()
    del lab.sections(EDGE)["NetRoute"]
    inventory = lab.write(tmp_path / "lab")
    run = run_suite(inventory, tmp_path / "reports")
    assert run.returncode == 1
    assert run.failures == {("EVID-02", EDGE)}  # reported once, as the evidence's own finding
    assert {r for r, h in run.errors if h == EDGE} >= {"EDGE-NIC-01", "EDGE-ROUTE-01", "EDGE-ROUTE-02"}
    assert "evidence section 'NetRoute' is missing" in "\n".join(run.messages("EDGE-NIC-01", EDGE))
    assert "Traceback" not in run.stdout
