"""The facts layer reads both shapes of every section the collector reads differently on Windows Server 2008 R2
(sfbcheck.lab.variants): the clean lab in the 2008 R2 shapes passes everything, and the faults of those
sections fail exactly their requirement on exactly their host in that shape too (issue #17, item 1)."""

from __future__ import annotations

import pytest

from selftest.harness import run_lab
from sfbcheck.evidence import Evidence
from sfbcheck.facts.network import parse_network
from sfbcheck.facts.replication import parse_share_access
from sfbcheck.facts.resolution import parse_resolutions
from sfbcheck.lab.faults import FAULTS, apply
from sfbcheck.lab.variants import windows_2008r2

VERDICTS_ONLY = ("-p", "no:html", "-p", "no:junitxml")
SHAPED = {"EDGE-NIC-01", "EDGE-ROUTE-01", "EDGE-ROUTE-02", "EDGE-DNS-04", "EDGE-HOSTS-01", "CMS-06", "OAUTH-01"}
SHAPED_FAULTS = sorted(name for name, f in FAULTS.items() if f.requirement in SHAPED)


def _evidence(lab, fqdn):
    return Evidence(fqdn, None, lab.evidence[fqdn])  # type: ignore[arg-type]


@pytest.mark.parametrize("fqdn", ["edge01.contoso.local", "edge02.contoso.local", "fe01.contoso.local"])
def test_both_shapes_give_the_same_network_facts(clean_lab, fqdn):
    cmdlets = parse_network(_evidence(clean_lab, fqdn))
    wmi = parse_network(_evidence(windows_2008r2(clean_lab), fqdn))
    assert set(cmdlets.interfaces) == set(wmi.interfaces)
    for store in ("persistent", "active"):  # Win32_IP4RouteTable has IPv4 routes only
        assert {(r.prefix, r.next_hop, r.index) for r in getattr(cmdlets, store) if r.prefix.version == 4} == \
               {(r.prefix, r.next_hop, r.index) for r in getattr(wmi, store)}


def test_both_shapes_give_the_same_share_access_and_resolutions(clean_lab):
    wmi = windows_2008r2(clean_lab)
    assert parse_share_access(_evidence(clean_lab, "fe01.contoso.local")) == \
           parse_share_access(_evidence(wmi, "fe01.contoso.local"))
    edge, edge_wmi = _evidence(clean_lab, "edge01.contoso.local"), _evidence(wmi, "edge01.contoso.local")
    assert {n: r.addresses for n, r in parse_resolutions(edge.sections["ResolveDnsName"]).items()} == \
           {n: r.addresses for n, r in parse_resolutions(edge_wmi.sections["ResolveDnsName"]).items()}
    assert wmi.evidence["edge01.contoso.local"]["Collection"]["Sections"]["NetRoute"]["Source"].startswith("Win32_")


def test_the_2008r2_shaped_lab_passes_everything(clean_lab, tmp_path):
    run = run_lab(windows_2008r2(clean_lab), tmp_path, *VERDICTS_ONLY)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.results and not run.failures and not run.errors


@pytest.mark.parametrize("name", SHAPED_FAULTS)
def test_a_fault_fails_the_same_in_the_2008r2_shape(name, clean_lab, tmp_path):
    fault = FAULTS[name]
    run = run_lab(windows_2008r2(apply(clean_lab.copy(), [name])), tmp_path, *VERDICTS_ONLY)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    assert not run.errors, run.stdout[-3000:]
    assert run.failures == fault.expected_failures, run.stdout[-3000:]
