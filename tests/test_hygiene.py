"""Server platform hygiene, impact warning (HOST-01...04): reported in every output, never fails the run alone."""

import pytest

from sfbcheck.checks import hygiene
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("HOST-01")
def test_power_plan_high_performance(server):
    """HOST-01: the active power plan is High performance (Microsoft platform guidance; OPD RDCheckPowerPlan)."""
    assert_compliant(hygiene.power_plan(server))


@pytest.mark.requirement("HOST-02")
def test_memory_and_cores_meet_the_role_minimum(server):
    """HOST-02: memory and cores meet the documented minimum for the role (Microsoft server requirements)."""
    assert_compliant(hygiene.sizing_minimum(server))


@pytest.mark.requirement("HOST-03")
def test_free_disk_space(server):
    """HOST-03: system, database and share drives keep the policy's free space (OPD RDCheckDiskHealthStatus)."""
    assert_compliant(hygiene.free_space(server))


@pytest.mark.requirement("HOST-04")
def test_recent_boot_and_no_pending_reboot(server):
    """HOST-04: last boot within the policy window, no reboot pending (Microsoft CU installation guidance)."""
    assert_compliant(hygiene.reboot_state(server))
