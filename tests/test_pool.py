"""Local stores and pool health (OPD RDCheckSQLServicesAreRunning, RDCheckSFBLocalDBsSingleUserMode,
RDCheckSfbServerQuorumLoss, RDCheckDNSResolution, RDCheckMultihomedServer, RDCheckListenAll; Microsoft's Front End
pool architecture and DNS requirements)."""

import pytest

from sfbcheck.checks import pool_health
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("POOL-01")
def test_local_sql_instances_run(lync_server):
    """POOL-01: RTCLOCAL (and LYNCLOCAL / RTC where the role needs them) run; no local database single-user."""
    assert_compliant(pool_health.local_sql_instances(lync_server))


@pytest.mark.requirement("POOL-02")
def test_front_end_pool_quorum(enterprise_frontend_pool):
    """POOL-02: more than half the members run RTCSRV and Windows Fabric, no missing replicas; two is a warning."""
    assert_compliant(pool_health.pool_quorum(enterprise_frontend_pool))


@pytest.mark.requirement("POOL-03")
def test_forward_and_reverse_dns_agree(internal_host, runner):
    """POOL-03: the FQDN resolves to the inventory IP and that IP's PTR record is the FQDN (internal DNS)."""
    assert_compliant(pool_health.forward_and_reverse_dns(internal_host, runner))


@pytest.mark.requirement("POOL-04")
def test_single_homed_with_sip_on_topology_address(registrar_server):
    """POOL-04: one internal IPv4 address in use (or SIP bound to it only) and SIP 5061 on the topology address."""
    assert_compliant(pool_health.single_homed_sip(registrar_server))
