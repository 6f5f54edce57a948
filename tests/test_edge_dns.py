"""Edge identity and name resolution (seed 000 "DNS suffix", "DNS"; seed 003 hosts-file format)."""

import pytest

from sfbcheck.checks import edge_dns, hosts_file
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("EDGE-DNS-01")
def test_edge_is_not_internal_domain_member(edge):
    """EDGE-DNS-01: the Edge is in a workgroup (or a perimeter domain), not the internal AD domain (000)."""
    assert_compliant(edge_dns.not_domain_member(edge))


@pytest.mark.requirement("EDGE-DNS-02")
def test_primary_dns_suffix_matches_topology(edge):
    """EDGE-DNS-02: the primary DNS suffix equals the domain of the Edge's topology FQDN (000)."""
    assert_compliant(edge_dns.primary_dns_suffix(edge))


@pytest.mark.requirement("EDGE-DNS-04")
def test_edge_resolves_to_inventory_addresses(edge, resolved_name):
    """EDGE-DNS-04: from the Edge, the next hop, its Front Ends and the other Edges resolve as listed (000, 003)."""
    assert_compliant(edge_dns.resolves_to_inventory(edge, resolved_name))


@pytest.mark.requirement("EDGE-HOSTS-01")
def test_hosts_file_has_one_name_per_line(edge):
    """EDGE-HOSTS-01: every hosts-file line holds one IP and exactly one name (003)."""
    assert_compliant(hosts_file.one_name_per_line(edge))


@pytest.mark.requirement("EDGE-HOSTS-02")
def test_hosts_file_lists_every_pool_member(edge):
    """EDGE-HOSTS-02: a DNS-load-balanced next hop has one hosts-file line per member IP (003, deploy-edge)."""
    assert_compliant(hosts_file.pool_member_lines(edge))
