"""Hybrid and federation (seed 003): online SIP domains, the Office 365 hosting provider, push notifications."""

import pytest

from sfbcheck.checks import hybrid
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("HYB-01")
def test_online_sip_domains_exist_on_premises(cms_master):
    """HYB-01: every SIP domain homed online is also an on-premises SIP domain (Get-CsSipDomain) (003)."""
    assert_compliant(hybrid.online_domains_on_premises(cms_master))


@pytest.mark.requirement("HYB-02")
def test_office365_hosting_provider(cms_master):
    """HYB-02: the sipfed.online.lync.com hosting provider is configured for hybrid (003, Microsoft)."""
    if reason := hybrid.no_hybrid(cms_master):
        pytest.skip(f"HYB-02 does not apply: {reason}")
    assert_compliant(hybrid.office365_hosting_provider(cms_master))


@pytest.mark.requirement("FED-02")
def test_push_lync_com_is_allowed(cms_master):
    """FED-02: push.lync.com is an allowed domain where mobile push is enabled (003)."""
    assert_compliant(hybrid.push_allowed(cms_master))
