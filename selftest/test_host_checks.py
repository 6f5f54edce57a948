"""Host checks on edited copies of the clean lab: the distinctions the issue asks for (missing / wrong type /
wrong value; not applicable before 2012 R2; Lync 2013 never; lookback window; an unknown serial) that the
documented faults do not each cover."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sfbcheck.checks import edge_events, schannel, tls_protocols
from sfbcheck.errors import EvidenceGap
from sfbcheck.evidence import EvidenceStore
from sfbcheck.facts.registry import SCHANNEL
from sfbcheck.host import Host
from sfbcheck.inventory import load_inventory
from sfbcheck.lab.faults.host import access_edge_events, set_registry_value
from sfbcheck.lab.model import Lab

FE1, FE4, EDGE2 = "fe01.contoso.local", "fe04.contoso.local", "edge02.contoso.local"


def host_of(lab: Lab, tmp_path: Path, fqdn: str, edit: Callable[[Lab], None] = lambda lab: None) -> Host:
    edit(lab)
    inventory = load_inventory(lab.write(tmp_path / "lab"))
    return Host(inventory.server(fqdn), inventory, EvidenceStore(inventory.evidence_dir))


@pytest.mark.parametrize(("kind", "value", "expected"), [
    (None, None, "ClientAuthTrustMode is missing"),
    ("String", "2", "wrong registry type: REG_SZ '2', not REG_DWORD 2"),
    ("DWord", 0, "ClientAuthTrustMode is DWORD 0, not 2"),
])
def test_schannel_missing_wrong_type_and_wrong_value_are_distinct(lab, tmp_path, kind, value, expected):
    def edit(lab: Lab) -> None:
        set_registry_value(lab, FE1, SCHANNEL, "ClientAuthTrustMode", kind, value)

    fe = host_of(lab, tmp_path, FE1, edit)
    [problem] = schannel.client_auth_trust_mode(fe)
    assert expected in problem.message
    assert '"ClientAuthTrustMode"=dword:00000002' in problem.fix and "-PropertyType DWord -Value 2" in problem.fix


@pytest.mark.parametrize(("version", "applies"), [("6.1.7601", False), ("6.3.9600", True), ("10.0.17763", True)])
def test_schannel_applies_from_2012_r2(lab, tmp_path, version, applies):
    fe = host_of(lab, tmp_path, FE1, lambda lab: lab.sections(FE1)["Win32_OperatingSystem"].update(Version=version))
    assert (schannel.not_applicable(fe) == "") is applies


def test_tls_disabled_on_a_lync_2013_front_end_is_not_supported(lab, tmp_path):
    def lync2013(lab: Lab) -> None:
        lab.inventory["product"] = "lync2013"
        lab.sections(FE4)["InstalledProducts"] = [
            {"DisplayName": "Lync Server 2013, Core Components", "DisplayVersion": "5.0.8308.1001"}]

    [problem] = tls_protocols.tls_disable_supported(host_of(lab, tmp_path, FE4, lync2013))
    assert "Lync Server 2013" in problem.message and "Edge role only" in problem.message


def test_tls_enabled_needs_no_product_version(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1, lambda lab: lab.sections(FE1).pop("InstalledProducts"))
    assert tls_protocols.tls_disable_supported(fe) == []


def test_tls_disabled_without_product_version_is_an_evidence_gap(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE4, lambda lab: lab.sections(FE4).pop("InstalledProducts"))
    with pytest.raises(EvidenceGap, match="InstalledProducts"):
        tls_protocols.tls_disable_supported(fe)


def test_events_outside_the_lookback_do_not_count(lab, tmp_path):
    edge = host_of(lab, tmp_path, EDGE2,
                   lambda lab: lab.sections(EDGE2)["WinEvent"].extend(access_edge_events(lab, EDGE2, hours_ago=200)))
    assert edge_events.no_certificate_events(edge) == []


def test_event_serial_matching_no_certificate_says_so(lab, tmp_path):
    def foreign(lab: Lab) -> None:
        events = access_edge_events(lab, EDGE2, hours_ago=1)
        for event in events:
            event["Properties"][-1] = "0102030405" + event["Properties"][-1]
        lab.sections(EDGE2)["WinEvent"].extend(events)

    problems = edge_events.no_certificate_events(host_of(lab, tmp_path, EDGE2, foreign))
    assert len(problems) == 3
    assert all("matches no certificate in LocalMachine My, Root or CA" in p.message for p in problems)


def test_malformed_registry_is_an_evidence_gap(lab, tmp_path):
    fe = host_of(lab, tmp_path, FE1, lambda lab: lab.sections(FE1).update(Registry=[{"Path": 12}]))
    with pytest.raises(EvidenceGap, match="Registry"):
        schannel.send_trusted_issuer_list(fe)
