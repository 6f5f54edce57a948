"""Windows services and Access Edge events (seed 001 CMS replication, seed 002 Access Edge after a CU)."""

import pytest

from sfbcheck.checks import edge_events, services
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("SVC-01")
def test_access_edge_service_configuration(edge):
    """SVC-01: Access Edge (RTCSRV) is Running, Automatic, logs on as NT AUTHORITY\\NetworkService (002)."""
    assert_compliant(services.access_edge_service(edge))


@pytest.mark.requirement("SVC-02")
def test_role_services_running(server):
    """SVC-02: every Lync/SfB service of the server's role (service_table.yml) is Running (001, 002)."""
    assert_compliant(services.role_services_running(server))


@pytest.mark.requirement("CMS-04")
def test_replication_services_running(lync_server):
    """CMS-04: REPLICA runs everywhere; MASTER and FTA also on the CMS master (001)."""
    assert_compliant(services.replication_services_running(lync_server))


@pytest.mark.requirement("EVT-01")
def test_no_access_edge_certificate_events(edge):
    """EVT-01: no event 12303, 14694 or 14397 in the lookback; a quoted serial names its certificate (002)."""
    assert_compliant(edge_events.no_certificate_events(edge))
