"""Backup pool and resiliency (seed 004): pairing, Backup Service, standby CMS, failover detection."""

import pytest

from sfbcheck.checks import backup
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("BACKUP-01")
def test_backup_pool_is_the_inventorys(frontend_pool):
    """BACKUP-01: Get-CsPoolBackupRelationship gives the inventory's backup pool, mutual where it says so (004)."""
    assert_compliant(backup.backup_relationship(frontend_pool))


@pytest.mark.requirement("BACKUP-03")
def test_backup_service_runs(frontend):
    """BACKUP-03: the Backup Service (LYNCBACKUP) runs on each Front End of a pool with a backup (004)."""
    assert_compliant(backup.backup_service_running(frontend))


@pytest.mark.requirement("BACKUP-03")
def test_backup_service_is_in_steady_state(frontend_pool):
    """BACKUP-03: Get-CsBackupServiceStatus shows steady state for the CMS and UserData modules (004)."""
    assert_compliant(backup.backup_service_status(frontend_pool))


@pytest.mark.requirement("BACKUP-04")
def test_standby_cms_database_on_backup_pool(cms_backup_pool):
    """BACKUP-04: the CMS pool's backup pool holds a standby CMS database, so CMS failover can succeed (004)."""
    assert_compliant(backup.standby_cms_database(cms_backup_pool))


@pytest.mark.requirement("BACKUP-05")
def test_failover_detection_within_policy(frontend_pool):
    """BACKUP-05: failover and failback detection intervals are within the inventory's policy (004)."""
    assert_compliant(backup.detection_intervals(frontend_pool))
