"""Ports between the servers, probed ON the CMS master / next-hop Front Ends and from the runner
(seeds 000, 001, 003; Microsoft's Edge port summary)."""

import pytest

from sfbcheck.checks import firewall
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("EDGE-FW-01")
def test_cms_reaches_edge_on_443_and_4443(cms_master, edge):
    """EDGE-FW-01: TCP 4443 and 443 from the CMS master Front End to each Edge internal IP connect (000, 001)."""
    assert_compliant(firewall.cms_to_edge(cms_master, edge))


@pytest.mark.requirement("EDGE-FW-02")
def test_next_hop_frontend_reaches_edge_sip_ports(next_hop_frontend, edge):
    """EDGE-FW-02: TCP 5061, 5062 and 8057 from each next-hop Front End to each Edge internal IP connect
    (Microsoft Edge port summary)."""
    assert_compliant(firewall.next_hop_to_edge(next_hop_frontend, edge))


@pytest.mark.requirement("EDGE-FW-03")
def test_edge_4443_presents_its_own_internal_certificate(cms_master, edge):
    """EDGE-FW-03: Edge internal 4443 presents the Edge's assigned internal certificate, chained to the internal
    root and naming the Edge, to the CMS (001 event 1015, 003)."""
    assert_compliant(firewall.edge_4443_certificate(cms_master, edge))


@pytest.mark.requirement("EDGE-FW-04")
def test_edge_443_is_not_intercepted_by_an_http_proxy(edge, runner):
    """EDGE-FW-04: nothing answers HTTP on Edge internal 443 (a layer-7 firewall intercepting it, 003)."""
    assert_compliant(firewall.edge_443_not_intercepted(edge, runner))


@pytest.mark.requirement("CMS-07")
def test_cms_reaches_replica_file_share_on_445(cms_master, internal_server):
    """CMS-07: TCP 445 (SMB, the replica file share) from the CMS master to each internal server connects (001)."""
    assert_compliant(firewall.cms_to_internal_server(cms_master, internal_server))
