"""Office Web Apps Server (seed 003)."""

import pytest

from sfbcheck.checks.owas import installed_on_system_drive
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("OWAS-01")
def test_office_web_apps_on_system_drive(owas):
    """OWAS-01: Office Web Apps Server is installed on the system drive (003)."""
    assert_compliant(installed_on_system_drive(owas))
