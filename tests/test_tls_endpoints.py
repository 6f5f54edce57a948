"""TLS protocol versions of external endpoints, probed from the runner (seed 003)."""

import pytest

from sfbcheck.checks import tls_endpoints
from sfbcheck.plugin import assert_compliant


@pytest.mark.requirement("TLS-02")
def test_reverse_proxy_accepts_the_policy_tls_versions(reverse_proxy, runner):
    """TLS-02: the reverse proxy accepts exactly the TLS versions the policy names (003: TLS 1.0 disabled on it
    broke Exchange Online meeting scheduling)."""
    assert_compliant(tls_endpoints.reverse_proxy_versions(reverse_proxy, runner))
