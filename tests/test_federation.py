"""Federation (seed 003, ms-diagnostics 1028)."""

import pytest

from sfbcheck.checks import federation
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("FED-01")
def test_partner_on_hosting_provider_is_allowed(federation_partner, cms_master, runner):
    """FED-01: a partner whose federation SRV resolves to a configured hosting provider is an allowed domain (or
    partner discovery is on), else ms-diagnostics 1028 (003)."""
    assert_compliant(federation.hosted_partner_allowed(federation_partner, cms_master, runner))
