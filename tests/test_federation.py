"""Federation (seed 003, ms-diagnostics 1028)."""

import pytest

from sfbcheck.checks import federation, federation_policy
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("FED-01")
def test_partner_on_hosting_provider_is_allowed(federation_partner, cms_master, runner):
    """FED-01: a partner whose federation SRV resolves to a configured hosting provider is an allowed domain (or
    partner discovery is on), else ms-diagnostics 1028 (003)."""
    assert_compliant(federation.hosted_partner_allowed(federation_partner, cms_master, runner))


@pytest.mark.requirement("FED-03")
def test_access_edge_matches_federation_policy(cms_master):
    """FED-03: AllowFederatedUsers, AllowOutsideUsers, EnablePartnerDiscovery, UseDnsSrvRouting match the policy, and
    exactly one Edge pool federates (OPD RDEdgeConfig*, RDCheckEdgePoolCount)."""
    assert_compliant(federation_policy.access_edge_matches_policy(cms_master))


@pytest.mark.requirement("FED-04")
def test_partners_not_blocked(cms_master):
    """FED-04: no federation partner is a blocked domain; no duplicate allowed domain (OPD
    RDCheckDomainApprovedForFederation)."""
    assert_compliant(federation_policy.partners_not_blocked(cms_master))
