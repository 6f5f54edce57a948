"""DNS records, from the runner's DNS answers (internal and external DNS): seeds 000, 003, 004 and
Microsoft's DNS requirements for Skype for Business Server."""

import pytest

from sfbcheck.checks import dns_records
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("EDGE-DNS-03")
def test_edge_fqdns_resolve_to_internal_ips(edge, runner):
    """EDGE-DNS-03: the Edge FQDN and the Edge pool internal FQDN resolve in internal DNS to the internal IPs (000)."""
    assert_compliant(dns_records.edge_internal_a_records(edge, runner))


@pytest.mark.requirement("BACKUP-02")
def test_backup_pool_has_srv_record_with_lower_precedence(on_premises_sip_domain, runner):
    """BACKUP-02: _sipinternaltls._tcp has SRV records for the primary and the backup pool on 5061, the backup
    with a higher priority number (004)."""
    assert_compliant(dns_records.backup_pool_srv(on_premises_sip_domain, runner))


@pytest.mark.requirement("DNS-01")
def test_pool_fqdn_has_an_a_record_per_member(dns_load_balanced_pool, runner):
    """DNS-01: a DNS-load-balanced pool FQDN has an A record for every member IP and nothing else (003)."""
    assert_compliant(dns_records.pool_a_records(dns_load_balanced_pool, runner))


@pytest.mark.requirement("DNS-02")
def test_lyncdiscoverinternal_points_to_internal_web_services(on_premises_sip_domain, runner):
    """DNS-02: lyncdiscoverinternal.<sip domain> resolves to the internal web services of a user pool
    (Microsoft DNS requirements)."""
    assert_compliant(dns_records.lyncdiscoverinternal(on_premises_sip_domain, runner))


@pytest.mark.requirement("HYB-03")
def test_sip_records_point_where_the_domain_is_homed(sip_domain, runner):
    """HYB-03: _sip._tls, _sipfederationtls._tcp and lyncdiscover point to the Edge for on-premises domains and to
    Office 365 for online domains (003)."""
    assert_compliant(dns_records.hybrid_records(sip_domain, runner))
