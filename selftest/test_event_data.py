"""EVT-01 on events shaped as Get-WinEvent returns them: the certificate serial number of events 12303 / 14694 /
14397 is in the attached data (``Properties``, Event Viewer's Details tab), not in the message (seed 002); it is
decoded by reversing its octets and matched to the certificate the failure names."""

from __future__ import annotations

from selftest.test_host_checks import host_of
from sfbcheck.checks import edge_events
from sfbcheck.facts.certificates import stores
from sfbcheck.facts.serials import attached_serials, match_serial
from sfbcheck.lab.faults.host import access_edge_events, reversed_serial
from sfbcheck.lab.model import Lab

EDGE2 = "edge02.contoso.local"


def with_events(lab: Lab) -> None:
    lab.sections(EDGE2)["WinEvent"].extend(access_edge_events(lab, EDGE2, hours_ago=1))


def test_serial_in_attached_data_names_the_certificate(lab, tmp_path):
    edge = host_of(lab, tmp_path, EDGE2, with_events)
    problems = edge_events.no_certificate_events(edge)
    assert len(problems) == 3
    serial = reversed_serial(lab, EDGE2, "AccessEdgeExternal")
    for problem in problems:
        assert serial not in problem.message.split("attached data")[0].split(":", 1)[0]
        assert "attached data: serial" in problem.message and "byte-reversed" in problem.message
        assert "LocalMachine\\My" in problem.message
        assert "attached data (Details tab)" in problem.evidence and serial in problem.evidence


def test_message_without_serial_and_no_attached_data_says_so(lab, tmp_path):
    def bare(lab: Lab) -> None:
        events = access_edge_events(lab, EDGE2, hours_ago=1)
        for event in events:
            event.pop("Properties")
        lab.sections(EDGE2)["WinEvent"].extend(events)

    problems = edge_events.no_certificate_events(host_of(lab, tmp_path, EDGE2, bare))
    assert problems and all("carries no certificate serial number" in p.message for p in problems)


def test_attached_serials_accept_hex_bytes_and_skip_texts():
    assert attached_serials(["0x8009030D", "2520BF7AFC4178", "Access Edge", ""]) == ["2520BF7AFC4178"]
    assert attached_serials(["25 20 BF 7A FC 41 78"]) == ["2520BF7AFC4178"]


def test_digit_reversed_serial_of_the_seed_still_matches(lab, tmp_path):
    """Seed 002's author read 5202FBA7CF1487 for 7841FC7ABF2025 (reversed digit by digit): still matched."""
    edge = host_of(lab, tmp_path, EDGE2)
    certificates = [c for entries in stores(edge.evidence).values() for c in entries]
    store_order = reversed_serial(lab, EDGE2, "AccessEdgeExternal")
    store_order = "".join(reversed([store_order[i:i + 2] for i in range(0, len(store_order), 2)]))
    [match] = match_serial(store_order[::-1], certificates)
    assert match.certificate.cert.serial_number == int(store_order, 16)
