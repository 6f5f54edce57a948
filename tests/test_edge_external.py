"""The Edge's next hop on 5061 and its external federation lookups (Microsoft's Edge Server port summary; OPD
RDCheckEdgeExternalDNS, RDCheckFederatedDomainDNSRecords)."""

import pytest

from sfbcheck.checks import edge_external
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("EDGE-FW-05")
def test_edge_reaches_next_hop_sip(edge):
    """EDGE-FW-05: TCP 5061 from the Edge's internal interface to each next-hop pool member connects."""
    assert_compliant(edge_external.next_hop_sip(edge))


@pytest.mark.requirement("EDGE-DNS-05")
def test_edge_resolves_federation_names(cms_master, edge):
    """EDGE-DNS-05: from the Edge, sipfed.online.lync.com (hybrid) and each partner's federation SRV resolve."""
    assert_compliant(edge_external.federation_names_resolve(cms_master, edge))
