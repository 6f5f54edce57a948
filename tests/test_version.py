"""Product, patch level and platform (Microsoft's update KBs 4470124 / 3061064 / 2809243 and the offline build table
sfbcheck/data/builds.yml; Microsoft's server requirements; OPD RDCheckPatchVersion, RDCheckServerVersion,
RDCheckLocalDBVersionMismatch)."""

import pytest

from sfbcheck.checks import version
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("VER-01")
def test_product_at_minimum_update(lync_server):
    """VER-01: Core Components is at least the policy's minimum update of the build table (default: the latest)."""
    assert_compliant(version.update_level(lync_server))


@pytest.mark.requirement("VER-02")
def test_pool_members_run_one_version(pool):
    """VER-02: every member of a pool runs the same product version (no pool half-way through an update)."""
    assert_compliant(version.same_version_in_pool(pool))


@pytest.mark.requirement("VER-03")
def test_windows_supported_for_product(lync_server):
    """VER-03: the Windows Server version is supported for the product (server requirements of each product)."""
    assert_compliant(version.supported_windows(lync_server))


@pytest.mark.requirement("VER-04")
def test_database_schema_matches_product(lync_server):
    """VER-04: Test-CsDatabase reports InstalledVersion = ExpectedVersion for every database (CU database step)."""
    assert_compliant(version.database_schemas_current(lync_server))
