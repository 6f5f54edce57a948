"""CMS replication (seeds 000, 001, 004): every replica up to date and reporting, the active master where the
inventory puts it, no File Transfer Agent failures, replica shares open to the replicator."""

import pytest

from sfbcheck.checks import replication
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("CMS-01")
def test_replica_is_up_to_date(replica):
    """CMS-01: Get-CsManagementStoreReplicationStatus lists the replica with UpToDate True (000, 001)."""
    assert_compliant(replication.replica_up_to_date(replica))


@pytest.mark.requirement("CMS-02")
def test_replica_reported_recently(replica):
    """CMS-02: the replica's LastStatusReport is within the policy window and it has a ProductVersion (000)."""
    assert_compliant(replication.replica_reported_recently(replica))


@pytest.mark.requirement("CMS-03")
def test_active_master_is_the_cms_pool(cms_master):
    """CMS-03: ActiveMasterFqdn (-CentralManagementStoreStatus) is in the inventory's CMS pool (001, 004)."""
    assert_compliant(replication.active_master(cms_master))


@pytest.mark.requirement("CMS-05")
def test_no_file_transfer_agent_failures(cms_master):
    """CMS-05: no LS File Transfer Agent Service event 1017, 1015 or 1034 in the lookback window (001)."""
    assert_compliant(replication.file_transfer_events(cms_master))


@pytest.mark.requirement("CMS-06")
def test_replica_share_grants_the_replicator(internal_server):
    """CMS-06: xds-replica grants RTC Local Config Replicator; the CMS host is in RTCUniversalConfigReplicator (001)."""
    assert_compliant(replication.replica_share_and_group(internal_server))
