"""Hostile and broken evidence: whatever one server's file holds, that server errors once with a clear reason and
every other server is still judged; a requirement that cannot be judged is an error, never a pass, never a
compliance failure, and no waiver covers it."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from selftest.harness import run_suite
from sfbcheck import evidence as evidence_module
from sfbcheck.errors import EvidenceError, EvidenceGap
from sfbcheck.evidence import Evidence, EvidenceStore, load_document
from sfbcheck.facts import dns, events, network, probes

EDGE = "edge01.contoso.local"
NOW = "2026-01-15T12:00:00+00:00"


def _evidence(**sections: object) -> Evidence:
    return Evidence("srv.contoso.local", Path("srv.json"), {"SchemaVersion": 1, "Server": "srv.contoso.local",
                                                            "CollectedAt": NOW, "Sections": sections})


def _deep(text: str) -> str:
    data = json.loads(text)
    data["Sections"]["Deep"] = "@"
    return json.dumps(data).replace('"@"', "[" * 100_000 + "]" * 100_000)


def _huge_int(text: str) -> str:
    data = json.loads(text)
    data["Sections"]["Huge"] = "@"
    return json.dumps(data).replace('"@"', "9" * 5_000)


HOSTILE = {"nested-100000-deep": (_deep, "nested deeper than 100"),
           "5000-digit-integer": (_huge_int, "not usable JSON")}


@pytest.mark.parametrize("how", sorted(HOSTILE))
def test_loader_refuses_hostile_json_with_a_reason(clean_lab, tmp_path, how):
    clean_lab.write(tmp_path)
    path = tmp_path / "evidence" / f"{EDGE}.json"
    mutate, reason = HOSTILE[how]
    path.write_text(mutate(path.read_text()))
    with pytest.raises(EvidenceError, match=reason):
        load_document(path, EDGE)


def test_loader_refuses_a_file_over_the_size_limit(clean_lab, tmp_path, monkeypatch):
    clean_lab.write(tmp_path)
    monkeypatch.setattr(evidence_module, "MAX_BYTES", 1000)
    with pytest.raises(EvidenceError, match="more than the 1,000"):
        load_document(tmp_path / "evidence" / f"{EDGE}.json", EDGE)


def test_store_confines_any_exception_to_its_server(clean_lab, tmp_path, monkeypatch):
    clean_lab.write(tmp_path)

    def explode(path: Path, server: str) -> dict:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(evidence_module, "load_document", explode)
    store = EvidenceStore(tmp_path / "evidence")
    with pytest.raises(EvidenceError, match="RecursionError"):
        store.get(EDGE)


@pytest.mark.parametrize("how", sorted(HOSTILE))
def test_hostile_file_errors_that_server_once_and_the_rest_runs(clean_lab, tmp_path, how):
    inventory = clean_lab.write(tmp_path / "lab")
    path = tmp_path / "lab" / "evidence" / f"{EDGE}.json"
    path.write_text(HOSTILE[how][0](path.read_text()))
    run = run_suite(inventory, tmp_path / "reports")
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    assert "INTERNALERROR" not in run.stdout + run.stderr
    errors = [r for r in run.results if r["outcome"] == "error"]
    assert [r["host"] for r in errors] == [EDGE] and HOSTILE[how][1] in errors[0]["message"]
    assert not run.failures
    others = [r for r in run.results if r["host"] != EDGE]
    assert others and {r["outcome"] for r in others} <= {"passed", "skipped", "warning"}


def test_parser_tripping_on_a_type_is_cannot_judge_once():
    calls = []

    def parser(ev: Evidence) -> int:
        calls.append(1)
        return len(ev.section("X")) + 1  # len(5) -> TypeError

    ev = _evidence(X=5)
    for _ in range(2):
        with pytest.raises(EvidenceGap, match=r"cannot judge srv\.contoso\.local: evidence section 'x-facts' is "
                                              r"malformed: TypeError"):
            ev.parsed("x-facts", parser)
    assert calls == [1]


# -- Infinity and NaN (json.loads accepts them) are cannot-judge, never OverflowError ------------------------
INFINITE = [
    (events.events, {"WinEvent": [{"Id": math.inf, "ProviderName": "LS File Transfer Agent Service",
                                   "TimeCreated": NOW, "Message": "x"}]}),
    (network.network, {"NetIPAddress": [{"IPAddress": "10.0.0.1", "PrefixLength": math.inf,
                                         "InterfaceAlias": "Internal", "InterfaceIndex": 3}], "NetRoute": []}),
    (network.network, {"NetIPAddress": [{"IPAddress": "10.0.0.1", "PrefixLength": 24,
                                         "InterfaceAlias": "Internal", "InterfaceIndex": -math.inf}],
                       "NetRoute": []}),
    (dns.dns_facts, {"DnsQuery": [{"View": "internal", "Name": "sip.contoso.com", "Type": "A", "Server": "10.0.0.5",
                                   "Status": "NOERROR", "Answer": [{"Name": "sip.contoso.com", "Type": "A",
                                                                    "IPAddress": "10.0.0.9", "TTL": math.inf}]}]}),
    (probes.tcp_probes, {"TcpProbe": [{"ComputerName": "10.0.0.1", "RemoteAddress": "10.0.0.1",
                                       "RemotePort": math.inf, "TcpTestSucceeded": True}]}),
    (probes.http_probes, {"HttpProbe": [{"ComputerName": "x", "RemotePort": 443, "TcpTestSucceeded": True,
                                         "HttpAnswered": True, "StatusCode": math.nan}]}),
]


@pytest.mark.parametrize(("parse", "sections"), INFINITE, ids=lambda v: getattr(v, "__name__", "sections"))
def test_infinity_is_cannot_judge(parse, sections):
    with pytest.raises(EvidenceGap):
        parse(_evidence(**sections))


# -- cannot judge is an error, and no waiver covers it ---------------------------------------------------------
def test_cannot_judge_is_an_error_that_no_waiver_covers(clean_lab, tmp_path):
    lab = clean_lab.copy()
    del lab.sections(EDGE)["NetRoute"]
    inventory = lab.write(tmp_path / "lab")
    waiver = {"requirement": "EDGE-NIC-01", "host": EDGE, "ticket": "CHG-1", "justification": "route change",
              "expires": date.today() + timedelta(days=30)}
    (inventory.parent / "waivers.yml").write_text(yaml.safe_dump({"waivers": [waiver]}), encoding="utf-8")
    run = run_suite(inventory, tmp_path / "reports")
    nic = next(r for r in run.results if r["requirement"] == "EDGE-NIC-01" and r["host"] == EDGE)
    assert nic["outcome"] == "error", nic
    assert "cannot judge" in nic["message"] and "NetRoute" in nic["message"]
    assert run.returncode == 1
    assert "ERROR tests/test_edge_routing.py::test_single_default_route_on_external_interface" in run.stdout
    case = next(c for c in ET.parse(run.report_dir / "latest.xml").getroot().iter("testcase")
                if c.get("name") == f"test_single_default_route_on_external_interface[{EDGE}]")
    assert case.find("error") is not None and case.find("failure") is None  # JUnit: an error too
