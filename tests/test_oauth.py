"""OAuth with Exchange (seed 003): the autodiscover URL and the Storage Service's autodiscovery failures."""

import pytest

from sfbcheck.checks import oauth
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("OAUTH-01")
def test_exchange_autodiscover_url(cms_master):
    """OAUTH-01: ExchangeAutodiscoverUrl has the autodiscover path and the scheme where Exchange lives (003)."""
    assert_compliant(oauth.autodiscover_url_scheme(cms_master))


@pytest.mark.requirement("OAUTH-02")
def test_no_ews_autodiscovery_failures(frontend):
    """OAUTH-02: no LS Storage Service event 32054 (EWS autodiscovery failure) in the lookback window (003)."""
    assert_compliant(oauth.storage_autodiscover_events(frontend))
