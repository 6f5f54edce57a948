"""The evidence model (sfbcheck/evidence_model.py) against the checks, and EVID-02 both ways: a section the
collector could not read, or one of the wrong shape, is reported once per server naming the section, the message
and the requirements it leaves unjudged, and those requirements error."""

from __future__ import annotations

import pytest

from selftest.inprocess import ERROR, FAIL, PASS, judge_in_memory, judge_lab, outcomes
from sfbcheck.evidence_model import SECTIONS

# one server of each kind: the CMS master, a next-hop Front End, another Front End, an Edge, Office Web Apps
SERVERS = ("fe01.contoso.local", "fe02.contoso.local", "fe04.contoso.local", "edge01.contoso.local",
           "owas01.contoso.local")


@pytest.mark.parametrize("fqdn", SERVERS)
def test_every_requirement_a_missing_section_leaves_unjudged_is_listed(clean_lab, tmp_path, fqdn):
    """Remove each section of the server in turn: every requirement that then errors is listed for it."""
    unlisted = {}
    for name in sorted(clean_lab.evidence[fqdn]["Sections"]):
        lab = clean_lab.copy()
        del lab.sections(fqdn)[name]
        found = judge_in_memory(lab)
        unjudged = {v.requirement for v in found.values() if v.verdict == ERROR}
        listed = set(SECTIONS[name].requirements) if name in SECTIONS else set()
        if unjudged - listed:
            unlisted[name] = sorted(unjudged - listed)
    assert not unlisted, f"add these requirements to sfbcheck/evidence_model.py SECTIONS: {unlisted}"


def test_section_with_the_collectors_error_is_reported_once_and_its_requirements_error(clean_lab, tmp_path):
    lab = clean_lab.copy()
    lab.sections("edge01.contoso.local")["NetRoute"] = {"Error": "Access is denied."}
    found = judge_lab(lab, tmp_path / "lab")
    [evid] = [v for v in found.values() if v.requirement == "EVID-02" and v.host == "edge01.contoso.local"]
    assert evid.verdict == FAIL
    assert "the collector could not read NetRoute: Access is denied.; EDGE-NIC-01, EDGE-ROUTE-01, EDGE-ROUTE-02" \
        in evid.message and "cannot be judged on this server" in evid.message
    assert evid.message.count("NetRoute") == 2  # one problem (and its evidence line), not one per reader
    for rid in ("EDGE-NIC-01", "EDGE-ROUTE-01", "EDGE-ROUTE-02"):
        assert outcomes(found, rid, "edge01.contoso.local") == {ERROR}
    assert outcomes(found, "EVID-02", "edge02.contoso.local") == {PASS}


def test_malformed_section_is_reported_by_evid02(clean_lab, tmp_path):
    lab = clean_lab.copy()
    lab.sections("edge01.contoso.local")["Win32_ComputerSystem"]["PartOfDomain"] = "maybe"
    found = judge_lab(lab, tmp_path / "lab")
    [evid] = [v for v in found.values() if v.requirement == "EVID-02" and v.host == "edge01.contoso.local"]
    assert evid.verdict == FAIL and "Win32_ComputerSystem is malformed: PartOfDomain" in evid.message
    assert "; EDGE-DNS-01" in evid.message and "cannot be judged" in evid.message
    assert outcomes(found, "EDGE-DNS-01", "edge01.contoso.local") == {ERROR}


def test_clean_lab_passes_evid02_everywhere(clean_lab, tmp_path):
    found = judge_lab(clean_lab, tmp_path / "lab")
    evid = {v.host: v.verdict for v in found.values() if v.requirement == "EVID-02"}
    assert evid and set(evid.values()) == {PASS}, evid
